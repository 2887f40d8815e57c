-- Indexes for the lists the screens and phones ask for (newest first, by id) and the KPIs
-- (by report time), measured at county scale (npm run bench -- workorders): lists are read in
-- id order per village or grid, so the index carries the id; the open ones have their own.
DROP INDEX work_orders_grid_created_idx;
CREATE INDEX work_orders_grid_id_idx ON work_orders (grid_id, id DESC);
CREATE INDEX work_orders_village_id_idx ON work_orders (village_id, id DESC);
CREATE INDEX work_orders_open_village_idx ON work_orders (village_id, id DESC) WHERE state <> 'closed';
-- visit coverage counts the households visited in a month
CREATE INDEX household_visits_time_idx ON household_visits (visited_at);
