// Seeds a Medusa v2 store through the Admin API (a region, tax region, stock
// location with a shipping option, a publishable key and 3 products of
// 1,000,000 units each) and writes seed.json for load.mjs.
import { writeFileSync } from "node:fs"
const BASE = process.env.MEDUSA_URL || "http://localhost:9000"
let token
async function api(method, path, body) {
  const r = await fetch(BASE + path, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const t = await r.text()
  if (!r.ok) throw new Error(`${method} ${path} -> ${r.status}: ${t}`)
  return t ? JSON.parse(t) : {}
}
token = (await api("POST", "/auth/user/emailpass", { email: "admin@example.com", password: "supersecret" })).token

const { sales_channels } = await api("GET", "/admin/sales-channels")
const sc = sales_channels.find((s) => s.name === "Default Sales Channel") || sales_channels[0]
console.log("sales channel", sc.id, sc.name)

const { region } = await api("POST", "/admin/regions", {
  name: "Europe", currency_code: "eur", countries: ["de"], payment_providers: ["pp_system_default"],
})
console.log("region", region.id)

await api("POST", "/admin/tax-regions", { country_code: "de", provider_id: "tp_system" }).catch((e) => console.log("tax region:", e.message))

let { stock_location: loc } = await api("POST", "/admin/stock-locations", {
  name: "Main Warehouse", address: { address_1: "Lagerstr. 1", city: "Berlin", country_code: "DE" },
})
console.log("stock location", loc.id)
await api("POST", `/admin/stock-locations/${loc.id}/sales-channels`, { add: [sc.id] })
await api("POST", `/admin/stock-locations/${loc.id}/fulfillment-providers`, { add: ["manual_manual"] })
loc = (await api("POST", `/admin/stock-locations/${loc.id}/fulfillment-sets?fields=*fulfillment_sets`, {
  name: "Main Warehouse delivery", type: "shipping",
})).stock_location
const fset = loc.fulfillment_sets[0]
const { fulfillment_set } = await api("POST", `/admin/fulfillment-sets/${fset.id}/service-zones`, {
  name: "Germany", geo_zones: [{ type: "country", country_code: "de" }],
})
const zone = fulfillment_set.service_zones[0]
console.log("fulfillment set", fset.id, "zone", zone.id)

const { shipping_profiles } = await api("GET", "/admin/shipping-profiles")
const profile = shipping_profiles.find((p) => p.type === "default") || shipping_profiles[0]
const { shipping_option } = await api("POST", "/admin/shipping-options", {
  name: "Standard Shipping", price_type: "flat", provider_id: "manual_manual",
  service_zone_id: zone.id, shipping_profile_id: profile.id,
  type: { label: "Standard", description: "Ship in 2-3 days.", code: "standard" },
  prices: [{ currency_code: "eur", amount: 5 }, { region_id: region.id, amount: 5 }],
  rules: [
    { attribute: "enabled_in_store", value: "true", operator: "eq" },
    { attribute: "is_return", value: "false", operator: "eq" },
  ],
})
console.log("shipping option", shipping_option.id)

const { api_key } = await api("POST", "/admin/api-keys", { title: "Bench storefront", type: "publishable" })
await api("POST", `/admin/api-keys/${api_key.id}/sales-channels`, { add: [sc.id] })
console.log("publishable key", api_key.token)

const variants = []
for (let i = 1; i <= 3; i++) {
  const { product } = await api("POST", "/admin/products", {
    title: `Bench Product ${i}`, status: "published", shipping_profile_id: profile.id,
    sales_channels: [{ id: sc.id }],
    options: [{ title: "Default", values: ["Default"] }],
    variants: [{
      title: `Bench Variant ${i}`, sku: `BENCH-${i}`, manage_inventory: true, allow_backorder: false,
      options: { Default: "Default" }, prices: [{ currency_code: "eur", amount: 10 * i }],
    }],
  })
  const v = product.variants[0]
  const { inventory_items } = await api("GET", `/admin/inventory-items?sku=BENCH-${i}`)
  const inv = inventory_items[0]
  await api("POST", `/admin/inventory-items/${inv.id}/location-levels`, { location_id: loc.id, stocked_quantity: 1000000 })
  console.log("product", product.id, "variant", v.id, "inventory item", inv.id)
  variants.push(v.id)
}
const seed = { region_id: region.id, sales_channel_id: sc.id, shipping_option_id: shipping_option.id,
  publishable_key: api_key.token, variant_ids: variants, stock_location_id: loc.id }
writeFileSync(new URL("./seed.json", import.meta.url), JSON.stringify(seed, null, 2))
console.log(seed)
