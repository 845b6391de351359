import { defineConfig } from 'drizzle-kit';

// drizzle-kit generates the migrations in drizzle/ from src/store/schema.ts; they are committed
// and applied at start by src/store/migrate.ts.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/schema.ts',
  out: './drizzle',
});
