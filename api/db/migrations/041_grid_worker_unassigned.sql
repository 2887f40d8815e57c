-- The grid editor gives each grid one worker: assigning an account to a grid unbinds the grid's
-- previous worker, who keeps her account (and her history) without a grid until she is given
-- another (待分配). Such an account signs in to a scope of nothing. Only a grid worker ever has
-- a grid.
DO $$
DECLARE c text;
BEGIN
  FOR c IN SELECT conname FROM pg_constraint
            WHERE conrelid = 'users'::regclass AND contype = 'c'
              AND pg_get_constraintdef(oid) LIKE '%gridWorker%' AND pg_get_constraintdef(oid) LIKE '%grid_id%'
  LOOP
    EXECUTE format('ALTER TABLE users DROP CONSTRAINT %I', c);
  END LOOP;
END $$;
ALTER TABLE users ADD CONSTRAINT users_grid_scope CHECK (grid_id IS NULL OR role = 'gridWorker');
