import { loadEnv, defineConfig, Modules } from "@medusajs/framework/utils"

loadEnv(process.env.NODE_ENV || "development", process.cwd())

// MEDUSA_REDIS=1 switches event bus, cache, workflow engine and locking to the Redis modules
// (Medusa's recommended production setup). Without it: local event bus, in-memory cache,
// in-memory workflow engine, in-memory locking (the defaults).
// MEDUSA_LOCKING=postgres (with MEDUSA_REDIS=1) uses the PostgreSQL advisory-lock locking provider instead of Redis.
const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379"
const useRedis = process.env.MEDUSA_REDIS === "1"

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/medusa_bench",
    databaseDriverOptions: { connection: { ssl: false } },
    ...(useRedis ? { redisUrl } : {}),
    http: {
      storeCors: process.env.STORE_CORS || "http://localhost:8000",
      adminCors: process.env.ADMIN_CORS || "http://localhost:9000",
      authCors: process.env.AUTH_CORS || "http://localhost:9000",
      jwtSecret: process.env.JWT_SECRET || "supersecret",
      cookieSecret: process.env.COOKIE_SECRET || "supersecret",
    },
  },
  admin: { disable: true },
  modules: useRedis
    ? [
        { resolve: "@medusajs/medusa/event-bus-redis", options: { redisUrl } },
        { resolve: "@medusajs/medusa/cache-redis", options: { redisUrl } },
        { resolve: "@medusajs/medusa/workflow-engine-redis", options: { redis: { redisUrl } } },
        {
          resolve: "@medusajs/medusa/locking",
          options: {
            providers: [
              process.env.MEDUSA_LOCKING === "postgres"
                ? { resolve: "@medusajs/medusa/locking-postgres", id: "locking-postgres", is_default: true }
                : { resolve: "@medusajs/medusa/locking-redis", id: "locking-redis", is_default: true, options: { redisUrl } },
            ],
          },
        },
      ]
    : [],
})
