/**
 * The Content-Security-Policy the console is built to run under: nothing from another origin.
 * `style-src 'unsafe-inline'` is needed because Mantine writes its CSS variables into a <style>
 * element and Monaco (GraphiQL's editor) injects its own; scripts stay `'self'` only. Workers
 * (Monaco's) come from our own files. `vite preview` sends it so browser tests see violations;
 * the binary should send the same header with index.html and graphiql.html.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
