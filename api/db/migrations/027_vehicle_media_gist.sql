-- Every geometry column gets a GiST index (migrate.test.ts holds us to it): a camera photo's
-- place is looked up by area when the desk shows what the trucks saw around an order.
CREATE INDEX vehicle_media_geom_idx ON vehicle_media USING gist (geom);
