// Typed documents for every operation in src/, generated from the committed ../schema.graphql.
// The output lives in src/graphql/generated/ and is committed; it is byte-identical run to run
// (no timestamps, sorted by the preset), so a diff after `npm run codegen` means a stale commit.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/graphql/generated/**'],
  ignoreNoDocuments: false,
  generates: {
    'src/graphql/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: {
          BigInt: 'string',
          DateTime: 'string',
          NaiveDate: 'string',
          UUID: 'string',
          JSON: 'unknown',
          Upload: 'File',
        },
        defaultScalarType: 'unknown',
      },
    },
  },
  hooks: {},
};

export default config;
