-- One-time setup of the shared usage store (run as the PostgreSQL superuser: sudo -u postgres psql -f …).
-- ThreadMeter creates and migrates its own tables at startup (one replica migrates under an
-- advisory lock, the others wait), so the role needs only to own its database.
CREATE ROLE threadmeter LOGIN PASSWORD 'replace-me';
CREATE DATABASE threadmeter OWNER threadmeter ENCODING 'UTF8';
\connect threadmeter
ALTER SCHEMA public OWNER TO threadmeter;
-- Each replica uses PostgresPool.Options.size (4) connections plus one during migration.
-- max_connections (default 100) covers 20 replicas; raise it or put PgBouncer (session mode) in between beyond that.
