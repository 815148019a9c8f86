-- Owning a job becomes a lease: the owner's random instance id (beside host and pid), and until when the lease
-- runs, by the DATABASE's clock (CURRENT_TIMESTAMP), so machines whose clocks disagree still agree on expiry.
-- WITH TIME ZONE: an instant, read alike by clients in any time zone. A row left by an older release has no
-- lease: it counts as expired (its same-host pid check still applies).
ALTER TABLE ZM_OWNER ADD COLUMN INSTANCE_ID VARCHAR(64);
ALTER TABLE ZM_OWNER ADD COLUMN LEASE_UNTIL TIMESTAMP WITH TIME ZONE;
