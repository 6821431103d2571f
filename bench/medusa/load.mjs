// Storefront-style order load against the Medusa v2 Store API.
// usage: node load.mjs <buyers> <seconds> [warmupSeconds]; prints a JSON summary last
import { readFileSync } from "node:fs"
const BASE = process.env.MEDUSA_URL || "http://localhost:9000"
const seed = JSON.parse(readFileSync(new URL("./seed.json", import.meta.url))) // written by seed.mjs
const BUYERS = +(process.argv[2] || 8), SECONDS = +(process.argv[3] || 60), WARMUP = +(process.argv[4] ?? 5)
const H = { "content-type": "application/json", "x-publishable-api-key": seed.publishable_key }
let reqCount = 0
async function post(path, body) {
  reqCount++
  const r = await fetch(BASE + path, { method: "POST", headers: H, body: JSON.stringify(body ?? {}) })
  const t = await r.text()
  if (!r.ok) throw new Error(`POST ${path.replace(/_[0-9A-Z]{26}/g, "_…")} -> ${r.status}: ${t.slice(0, 300)}`)
  return JSON.parse(t)
}
// Small response bodies: ask only for id fields where the endpoint allows it.
async function placeOrder(n) {
  const { cart } = await post("/store/carts?fields=id", {
    region_id: seed.region_id, sales_channel_id: seed.sales_channel_id,
    email: `buyer${n}@example.com`,
    shipping_address: { first_name: "Max", last_name: "Muster", address_1: "Hauptstr. 1", city: "Berlin",
      postal_code: "10115", country_code: "de" },
    items: seed.variant_ids.map((variant_id) => ({ variant_id, quantity: 1 })),
  })
  await post(`/store/carts/${cart.id}/shipping-methods?fields=id`, { option_id: seed.shipping_option_id })
  const { payment_collection } = await post("/store/payment-collections", { cart_id: cart.id })
  await post(`/store/payment-collections/${payment_collection.id}/payment-sessions`, { provider_id: "pp_system_default" })
  const t0 = performance.now()
  const res = await post(`/store/carts/${cart.id}/complete`)
  const completeMs = performance.now() - t0
  if (res.type !== "order" || !res.order?.id) throw new Error("complete did not return an order: " + JSON.stringify(res).slice(0, 300))
  if (res.order.items?.length !== 3) throw new Error("order has " + res.order.items?.length + " items")
  return completeMs
}
function pct(a, p) { if (!a.length) return NaN; const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.ceil(p / 100 * s.length) - 1)] }
async function phase(seconds, record) {
  const end = performance.now() + seconds * 1000
  const st = { ok: 0, err: 0, orderMs: [], completeMs: [], errs: new Map() }
  let n = 0
  await Promise.all(Array.from({ length: BUYERS }, async () => {
    while (performance.now() < end) {
      const t0 = performance.now()
      try {
        const c = await placeOrder(n++)
        st.ok++; st.orderMs.push(performance.now() - t0); st.completeMs.push(c)
      } catch (e) {
        st.err++; const k = String(e.message).slice(0, 200); st.errs.set(k, (st.errs.get(k) || 0) + 1)
      }
    }
  }))
  return st
}
if (WARMUP > 0) { const w = await phase(WARMUP); console.log(`warm-up ${WARMUP}s: ${w.ok} orders, ${w.err} errors`) }
reqCount = 0
const t0 = performance.now()
const st = await phase(SECONDS)
const el = (performance.now() - t0) / 1000
const f = (x) => x.toFixed(1)
const out = { buyers: BUYERS, seconds: +el.toFixed(2), orders: st.ok, errors: st.err, orders_per_s: +(st.ok / el).toFixed(2),
  requests: reqCount, requests_per_s: +(reqCount / el).toFixed(1),
  order_ms: { p50: f(pct(st.orderMs, 50)), p95: f(pct(st.orderMs, 95)), p99: f(pct(st.orderMs, 99)) },
  complete_ms: { p50: f(pct(st.completeMs, 50)), p95: f(pct(st.completeMs, 95)), p99: f(pct(st.completeMs, 99)) },
  error_kinds: Object.fromEntries(st.errs) }
console.log(JSON.stringify(out, null, 1))
