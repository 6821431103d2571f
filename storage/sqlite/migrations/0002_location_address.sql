-- Locations get a postal address, the origin carriers quote and print on
-- labels (the JSON of address.Address: name, company, line1, line2, city,
-- region, postal_code, country, phone), and an IANA time zone name.
-- Locations created before have none: '{}' and ''.
ALTER TABLE locations ADD COLUMN address TEXT NOT NULL DEFAULT '{}';
ALTER TABLE locations ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
