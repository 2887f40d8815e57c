-- Terminal claims (JT/T 808): a terminal bound but not yet signed in, or after its logout
-- (0x0003), could be registered by whoever reached the port first. The binding now carries
-- what the installer knows of the unit, and a registration (0x0100) must match it: its 终端ID,
-- 制造商ID, 型号 (only when the binding names one) and 车牌 (the VIN when the truck has no plate).
ALTER TABLE terminals ADD COLUMN terminal_id text;
ALTER TABLE terminals ADD COLUMN maker_id text;
ALTER TABLE terminals ADD COLUMN model text;
ALTER TABLE terminals ADD COLUMN plate text;
-- the last refused registration of this ID, for the admin: {at, result, from, sent, mismatched}
ALTER TABLE terminals ADD COLUMN refusal jsonb;

-- The demo's simulated terminals say who they are the same way every time (api/terminals/demo.ts).
UPDATE terminals t SET terminal_id = right(t.phone, 7), maker_id = 'SZWG1', model = 'SIM-808', plate = v.plate
  FROM vehicles v WHERE v.id = t.vehicle_id AND t.created_by = 'demo';
-- A terminal that registered and signed in before keeps what it said then. Bindings never
-- signed in stay empty: their registrations are refused (and shown) until an admin completes them.
UPDATE terminals SET terminal_id = device ->> 'terminalId', maker_id = device ->> 'makerId', plate = device ->> 'plate'
 WHERE terminal_id IS NULL AND authenticated_at IS NOT NULL AND device ? 'terminalId';

-- Residue on the wall: an order of a sensitive category (a 低保 or 救助 request, a family
-- dispute) is about one household, so a wall (the display role) sees it at its grid's label
-- point, never at its exact place, and none of its photos. An admin marks categories.
ALTER TABLE work_order_categories ADD COLUMN sensitive boolean NOT NULL DEFAULT false;
UPDATE work_order_categories SET sensitive = true WHERE code IN ('welfare', 'dispute');
