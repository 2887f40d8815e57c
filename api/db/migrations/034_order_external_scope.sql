-- An order's external number (a 12345 hotline number, a vehicle alert's) was unique in the whole
-- county, so a town's command center could learn that a number exists in another town from an
-- import or a filing that was refused or skipped. It is now looked up within the caller's scope
-- only (api/work-orders), and the index keeps one order per number and village: it still stops
-- two imports of the same file racing, and a town's number never collides with another town's.
DROP INDEX work_orders_external_idx;
CREATE UNIQUE INDEX work_orders_external_idx ON work_orders (source, external_id, village_id) WHERE external_id IS NOT NULL;
