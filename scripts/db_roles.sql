-- The two database roles of the project (docs/deployment.md, "Database roles"):
--   rosealliance_owner  owns the tables and runs the migrations;
--   rosealliance_app    what the application connects as: it owns nothing, cannot
--                       TRUNCATE, alter or disable a trigger, and writes the voting
--                       tables only through the owner's SECURITY DEFINER functions.
-- Run by a superuser; idempotent. CREATEDB lets the test runner create its database (drop
-- it in production: ALTER ROLE rosealliance_owner NOCREATEDB).
DO $$
BEGIN
    CREATE ROLE rosealliance_owner LOGIN CREATEDB;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
DO $$
BEGIN
    CREATE ROLE rosealliance_app LOGIN;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
