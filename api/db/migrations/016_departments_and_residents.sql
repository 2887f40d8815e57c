-- County departments report in (部门报到): a `department` account belongs to one department and
-- sees and handles the orders sent to it; it may send one back to the town with a reason.
ALTER TABLE users ADD COLUMN department_id integer REFERENCES departments(id);
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('admin', 'leader', 'villageCadre', 'gridWorker', 'dispatcher', 'display', 'device', 'department'));
ALTER TABLE users ADD CONSTRAINT users_department_scope CHECK ((role = 'department') = (department_id IS NOT NULL));
ALTER TABLE users ADD COLUMN last_login_at timestamptz;

ALTER TABLE work_order_history DROP CONSTRAINT work_order_history_action_check;
ALTER TABLE work_order_history ADD CONSTRAINT work_order_history_action_check
  CHECK (action IN ('create', 'dispatch', 'transfer', 'handle', 'review', 'reply', 'rate', 'escalate', 'sendBack'));
-- the orders a department was ever given, for its inbox and its ranking
CREATE INDEX work_order_history_department_idx ON work_order_history (((detail ->> 'departmentId')::int), order_id)
  WHERE detail ? 'departmentId' AND detail ->> 'departmentId' IS NOT NULL;
CREATE INDEX work_orders_department_idx ON work_orders (assignee_department_id) WHERE assignee_department_id IS NOT NULL;

-- Residents report without an account (一键点单) and follow their report by a tracking code;
-- they rate the result once it is answered (拍拍板). Nullable: rows loaded from fixtures have none.
ALTER TABLE work_orders DROP CONSTRAINT work_orders_source_check;
ALTER TABLE work_orders ADD CONSTRAINT work_orders_source_check
  CHECK (source IN ('gridWorker', 'hotline', 'camera', 'vehicleAlert', 'center', 'resident'));
ALTER TABLE work_orders ADD COLUMN tracking_code text UNIQUE;
ALTER TABLE work_orders ADD COLUMN rating_comment text;
CREATE INDEX work_orders_reporter_phone_idx ON work_orders (reporter_phone, created_at) WHERE source = 'resident';

-- A call-back (回访) reveals a caller's phone: audited like an unmasked resident.
ALTER TABLE audit_log ADD COLUMN work_order_id integer REFERENCES work_orders(id);
