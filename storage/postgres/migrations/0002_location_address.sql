-- Locations get a postal address, the origin carriers quote and print on
-- labels (the JSON of address.Address: name, company, line1, line2, city,
-- region, postal_code, country, phone), and an IANA time zone name.
-- Locations created before have none: '{}' and ''.
ALTER TABLE {{schema}}.locations
    ADD COLUMN address   jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN time_zone text  NOT NULL DEFAULT '';
