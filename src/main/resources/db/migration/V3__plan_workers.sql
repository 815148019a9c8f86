-- Plans shared by several worker processes (`rebalance apply FILE --worker`). Each worker claims a move under
-- a lock on the plan's row and holds it with a lease whose expiry comes from the database's clock, so that
-- machines whose clocks disagree still agree on when a lease has lapsed.
-- ZM_PLAN.LEASE_SECONDS: set for a plan its workers share (null for a plan one process applies).
ALTER TABLE ZM_PLAN ADD COLUMN LEASE_SECONDS INT;
-- Why the plan's workers start no new move (a failed --check), until `jobs resume` clears it.
ALTER TABLE ZM_PLAN ADD COLUMN PAUSED VARCHAR(4000);
-- The worker that runs (or ran) the move, the one it took the move over from, and until when its claim holds.
ALTER TABLE ZM_PLAN_MOVE ADD COLUMN WORKER VARCHAR(255);
ALTER TABLE ZM_PLAN_MOVE ADD COLUMN PREVIOUS_WORKER VARCHAR(255);
ALTER TABLE ZM_PLAN_MOVE ADD COLUMN LEASE_UNTIL TIMESTAMP WITH TIME ZONE;
-- The row a shared plan's claimers lock (SELECT ... FOR UPDATE) to take turns. Kept apart from ZM_PLAN so that
-- a worker recording how its move ended, or pausing the plan, never waits behind a claim in progress.
CREATE TABLE ZM_PLAN_CLAIM (
  PLAN_ID VARCHAR(64) PRIMARY KEY
);
