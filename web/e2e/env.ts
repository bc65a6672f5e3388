// What the browser tests need from their environment (see playwright.config.ts).
function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run scripts/dev-backend.sh and export what it prints`);
  return value;
}

export const env = {
  get baseURL(): string {
    return process.env.GRAPEVINE_URL ?? 'http://127.0.0.1:4173';
  },
  get password(): string {
    return required('GRAPEVINE_PASSWORD');
  },
  get secretKey(): string {
    return required('GRAPEVINE_SECRET_KEY');
  },
};

export type Who = 'admin' | 'marketing' | 'sales' | 'finance' | 'ops';

export const emailOf = (who: Who) => `${who}@console.test`;

/** A name no earlier run used. */
export const unique = (prefix: string) =>
  `${prefix} ${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
