-- A PostgreSQL database as schema version 1 created it, with one académie and one account.
-- The tables and indexes are what Peewee's create_tables() makes on PostgreSQL of the models of
-- schema 1 (cyclades/models.py at commit ff04652, without audit_log, which came with schema 2);
-- the rows are those of schema_v1.sql, the SQLite fixture, and setval() leaves each sequence
-- after them, where inserting them would have. tests/test_migrations.py upgrades it and checks
-- that nothing is lost.
BEGIN;
CREATE TABLE IF NOT EXISTS "academie" ("id" SERIAL NOT NULL PRIMARY KEY, "code" VARCHAR(255) NOT NULL, "name" VARCHAR(255) NOT NULL, "timezone" VARCHAR(255) NOT NULL, "service" TEXT NOT NULL, "postal_address" TEXT NOT NULL, "website" VARCHAR(255) NOT NULL, "amenagement_url" VARCHAR(255) NOT NULL, "e4_languages" TEXT NOT NULL, "lvf_languages" TEXT NOT NULL, "eps_activities" TEXT NOT NULL, "eps_adapted_activities" TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS "account" ("id" SERIAL NOT NULL PRIMARY KEY, "email" VARCHAR(255) NOT NULL, "civilite" VARCHAR(255) NOT NULL, "nom_naissance" VARCHAR(255) NOT NULL, "nom_usage" VARCHAR(255) NOT NULL, "prenoms" VARCHAR(255) NOT NULL, "date_naissance" DATE NOT NULL, "pays_naissance" VARCHAR(255) NOT NULL, "password_hash" VARCHAR(255) NOT NULL, "locale" VARCHAR(255) NOT NULL, "created_at" TIMESTAMP NOT NULL, "activated_at" TIMESTAMP, "last_login_at" TIMESTAMP, "identity_locked_at" TIMESTAMP, "session_token" VARCHAR(255) NOT NULL);
CREATE TABLE IF NOT EXISTS "exam" ("id" SERIAL NOT NULL PRIMARY KEY, "code" VARCHAR(255) NOT NULL, "name" VARCHAR(255) NOT NULL, "position" INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS "exam_session" ("id" SERIAL NOT NULL PRIMARY KEY, "year" INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS "schema_version" ("id" SERIAL NOT NULL PRIMARY KEY, "version" INTEGER NOT NULL, "applied_at" TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS "service_contact" ("id" SERIAL NOT NULL PRIMARY KEY, "academie_id" INTEGER NOT NULL, "label" VARCHAR(255) NOT NULL, "exams" TEXT NOT NULL, "sector" VARCHAR(255) NOT NULL, "person" VARCHAR(255) NOT NULL, "email" VARCHAR(255) NOT NULL, "phone" VARCHAR(255) NOT NULL, "position" INTEGER NOT NULL, FOREIGN KEY ("academie_id") REFERENCES "academie" ("id") ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS "specialty" ("id" SERIAL NOT NULL PRIMARY KEY, "exam_id" INTEGER NOT NULL, "code" VARCHAR(255) NOT NULL, "name" VARCHAR(255) NOT NULL, "sector" VARCHAR(255) NOT NULL, "options" TEXT NOT NULL, "requires_r408" BOOLEAN NOT NULL, FOREIGN KEY ("exam_id") REFERENCES "exam" ("id") ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS "window" ("id" SERIAL NOT NULL PRIMARY KEY, "academie_id" INTEGER NOT NULL, "exam_id" INTEGER NOT NULL, "session_id" INTEGER NOT NULL, "kind" VARCHAR(255) NOT NULL, "opens_at" TIMESTAMP NOT NULL, "closes_at" TIMESTAMP NOT NULL, FOREIGN KEY ("academie_id") REFERENCES "academie" ("id") ON DELETE CASCADE, FOREIGN KEY ("exam_id") REFERENCES "exam" ("id") ON DELETE CASCADE, FOREIGN KEY ("session_id") REFERENCES "exam_session" ("id") ON DELETE CASCADE);
INSERT INTO academie VALUES (1,'lille','Lille','Europe/Paris','Département des Examens et Concours','','','','[]','[]','[]','[]');
INSERT INTO account VALUES (1,'ancienne.candidate@example.fr','MME','DUPONT','','Élodie Anne','1998-05-30','FR','$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaA','fr','2025-10-01 08:00:00','2025-10-01 08:05:00',NULL,NULL,'tok-v1');
INSERT INTO schema_version VALUES (1,1,'2026-11-22 20:13:20.682237');
SELECT setval('academie_id_seq', 1), setval('account_id_seq', 1), setval('schema_version_id_seq', 1);
CREATE UNIQUE INDEX IF NOT EXISTS "academie_code" ON "academie" ("code");
CREATE UNIQUE INDEX IF NOT EXISTS "account_email" ON "account" ("email");
CREATE INDEX IF NOT EXISTS "account_created_at" ON "account" ("created_at");
CREATE UNIQUE INDEX IF NOT EXISTS "account_session_token" ON "account" ("session_token");
CREATE UNIQUE INDEX IF NOT EXISTS "exam_code" ON "exam" ("code");
CREATE UNIQUE INDEX IF NOT EXISTS "exam_session_year" ON "exam_session" ("year");
CREATE INDEX IF NOT EXISTS "service_contact_academie_id" ON "service_contact" ("academie_id");
CREATE INDEX IF NOT EXISTS "specialty_exam_id" ON "specialty" ("exam_id");
CREATE UNIQUE INDEX IF NOT EXISTS "specialty_exam_id_code" ON "specialty" ("exam_id", "code");
CREATE INDEX IF NOT EXISTS "window_academie_id" ON "window" ("academie_id");
CREATE INDEX IF NOT EXISTS "window_exam_id" ON "window" ("exam_id");
CREATE INDEX IF NOT EXISTS "window_session_id" ON "window" ("session_id");
CREATE INDEX IF NOT EXISTS "window_opens_at" ON "window" ("opens_at");
CREATE INDEX IF NOT EXISTS "window_closes_at" ON "window" ("closes_at");
CREATE UNIQUE INDEX IF NOT EXISTS "window_academie_id_exam_id_session_id_kind" ON "window" ("academie_id", "exam_id", "session_id", "kind");
COMMIT;
