-- Give a database made before the project had two roles to its owner role: the database,
-- and every table, sequence, view and function in its public schema that a superuser
-- made. Idempotent; run by a superuser in that database (scripts/pg_local.sh does).
DO $$
DECLARE
    object record;
BEGIN
    EXECUTE format('ALTER DATABASE %I OWNER TO rosealliance_owner', current_database());
    FOR object IN
        SELECT c.relname, c.relkind FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_roles r ON r.oid = c.relowner
         WHERE n.nspname = 'public' AND r.rolsuper AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
    LOOP
        EXECUTE format('ALTER %s public.%I OWNER TO rosealliance_owner',
                       CASE object.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                                           WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                       object.relname);
    END LOOP;
    FOR object IN
        SELECT p.oid::regprocedure AS signature FROM pg_proc p
          JOIN pg_namespace n ON n.oid = p.pronamespace
          JOIN pg_roles r ON r.oid = p.proowner
         WHERE n.nspname = 'public' AND r.rolsuper
    LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO rosealliance_owner', object.signature);
    END LOOP;
END $$;
