-- The database role the web and worker processes connect as, in production. Run it as the owner of the tables
-- (the role migrations run as) after every `flask db upgrade`:
--
--     psql "$OWNER_DATABASE_URL" -v app_role=pbportal_app -v schema=public -f deploy/app_role.sql
--
-- The app role owns nothing, so it cannot drop or alter a table, nor disable a trigger. It may read and write
-- the data, but on the audit log it may only read and add: no UPDATE, DELETE or TRUNCATE (the append-only trigger
-- stops the owner's updates and deletes too).
GRANT USAGE ON SCHEMA :"schema" TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA :"schema" TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA :"schema" TO :"app_role";
REVOKE UPDATE, DELETE, TRUNCATE ON :"schema".audit_event FROM :"app_role";
