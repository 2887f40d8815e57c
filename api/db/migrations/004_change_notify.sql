-- Any change to mapped data, by this API or by hand in psql, tells every API process
-- (LISTEN data_changed) to drop its cached tiles and geometry for that table: a tile
-- cache that survives edits is the bug peers' tile servers are known for.
CREATE FUNCTION notify_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('data_changed', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;

CREATE TRIGGER towns_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON towns
  FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER villages_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON villages
  FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER grids_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON grids
  FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER households_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON households
  FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER residents_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON residents
  FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER roads_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON roads
  FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
