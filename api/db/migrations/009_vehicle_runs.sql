-- When the truck left the transfer station on its current collection run; NULL while it is
-- at the station. Kept with the newest fix rather than in one process's memory, so a run
-- whose fixes were ingested by different API processes is still judged, and judged once:
-- the process that clears the mark is the one that checks the run for missed points.
ALTER TABLE vehicle_latest ADD COLUMN run_started_at timestamptz;
