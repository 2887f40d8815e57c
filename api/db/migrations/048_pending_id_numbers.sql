-- A newborn is recorded when the grid worker learns of the birth, before 户口 registration gives
-- her an ID number (issue 29): the number may be missing for a while (待登记户口) and is added
-- later by PATCH /api/residents/:id. Still unique when present (NULLs are distinct in a UNIQUE
-- constraint); imports and department data match by number and so never match a pending one.
ALTER TABLE residents ALTER COLUMN id_number DROP NOT NULL;
-- the phone's todo (待补身份证号) and the desk read the pending ones of a scope
CREATE INDEX residents_id_pending_idx ON residents (household_id) WHERE id_number IS NULL AND deregistered IS NULL;
