import { createHash } from "node:crypto";
import type { Database } from "./connection.js";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The schema, one versioned step at a time. Never edit a step that has shipped: add the next one.
 * Numeric figures are `numeric` so a decimal entered is the decimal stored (no float drift).
 */
export const migrations: Migration[] = [
  {
    version: 1,
    name: "plans, figures, accounts, audit",
    sql: `
CREATE TABLE regions (
  code   text PRIMARY KEY,
  name   text NOT NULL,
  level  text NOT NULL,
  parent text REFERENCES regions(code)
);
CREATE INDEX regions_parent ON regions(parent);

CREATE TABLE units (
  id     text PRIMARY KEY,
  name   text NOT NULL,
  region text NOT NULL REFERENCES regions(code)
);

CREATE TABLE plans (
  id       text PRIMARY KEY,
  year     integer NOT NULL,
  level    text NOT NULL,
  region   text NOT NULL REFERENCES regions(code),
  title    text NOT NULL,
  schedule jsonb NOT NULL
);

CREATE TABLE items (
  id    text PRIMARY KEY,
  plan  text NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
  no    integer NOT NULL,
  title text NOT NULL
);
CREATE INDEX items_plan ON items(plan);

CREATE TABLE projects (
  id        text PRIMARY KEY,
  item      text NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  no        integer NOT NULL,
  title     text NOT NULL,
  lead_unit text NOT NULL REFERENCES units(id)
);
CREATE INDEX projects_item ON projects(item);

CREATE TABLE indicators (
  id          text PRIMARY KEY,
  project     text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name        text NOT NULL,
  unit        text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('quantity', 'milestone')),
  aggregation text NOT NULL CHECK (aggregation IN ('sum', 'mean')),
  linked_to   text REFERENCES indicators(id) DEFERRABLE INITIALLY DEFERRED,
  schedule    jsonb,
  position    integer NOT NULL DEFAULT 0
);
CREATE INDEX indicators_project ON indicators(project);

CREATE TABLE targets (
  indicator text NOT NULL REFERENCES indicators(id) ON DELETE CASCADE,
  region    text NOT NULL REFERENCES regions(code),
  value     numeric NOT NULL CHECK (value > 0),
  PRIMARY KEY (indicator, region)
);

-- 月度填报: one report per indicator, region and month. Imported official figures are verified reports.
CREATE TABLE reports (
  id             bigserial PRIMARY KEY,
  indicator      text NOT NULL REFERENCES indicators(id) ON DELETE CASCADE,
  region         text NOT NULL REFERENCES regions(code),
  period         text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  state          text NOT NULL CHECK (state IN ('draft', 'submitted', 'verified', 'reduced', 'returned')),
  reported_value numeric NOT NULL CHECK (reported_value >= 0),
  verified_value numeric CHECK (verified_value >= 0),
  narrative      text NOT NULL DEFAULT '',
  fall_reason    text,
  review_reason  text,
  source         text NOT NULL DEFAULT 'report' CHECK (source IN ('report', 'import')),
  version        integer NOT NULL DEFAULT 1,
  created_by     text,
  updated_by     text,
  reviewed_by    text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  submitted_at   timestamptz,
  reviewed_at    timestamptz,
  UNIQUE (indicator, region, period)
);
CREATE INDEX reports_state ON reports(state);
CREATE INDEX reports_region_period ON reports(region, period);

-- 佐证材料: files stored behind the storage interface, described here.
CREATE TABLE evidence (
  id          text PRIMARY KEY,
  report_id   bigint NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  filename    text NOT NULL,
  media_type  text NOT NULL,
  size        bigint NOT NULL,
  sha256      text NOT NULL,
  storage_key text NOT NULL,
  uploaded_by text,
  uploaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX evidence_report ON evidence(report_id);

CREATE TABLE disclosure_records (
  project   text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  region    text NOT NULL REFERENCES regions(code),
  period    text NOT NULL,
  compliant boolean NOT NULL,
  PRIMARY KEY (project, region, period)
);

CREATE TABLE users (
  id              bigserial PRIMARY KEY,
  username        text NOT NULL UNIQUE,
  display_name    text NOT NULL,
  password_hash   text NOT NULL,
  role            text NOT NULL,
  region          text REFERENCES regions(code),
  unit            text REFERENCES units(id),
  disabled        boolean NOT NULL DEFAULT false,
  failed_logins   integer NOT NULL DEFAULT 0,
  locked_until    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  id_hash      text PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Tokens for integrators (Authorization: Bearer); a token acts as its user, scoped like one.
CREATE TABLE api_tokens (
  id           bigserial PRIMARY KEY,
  name         text NOT NULL,
  token_hash   text NOT NULL UNIQUE,
  user_id      bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_by   bigint REFERENCES users(id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  expires_at   timestamptz,
  revoked_at   timestamptz
);

-- Append-only; each entry chained to the previous by hash (see audit.ts).
CREATE TABLE audit_log (
  seq       bigserial PRIMARY KEY,
  at        timestamptz NOT NULL,
  actor     text NOT NULL,
  action    text NOT NULL,
  entity    text NOT NULL,
  entity_id text NOT NULL,
  before    jsonb,
  after     jsonb,
  prev_hash text NOT NULL,
  hash      text NOT NULL UNIQUE
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
`,
  },
  {
    version: 3,
    name: "project sites (码上通): content, citizens' feedback, satisfaction, settings",
    sql: `
-- 项目点位: one project in one region where it has a target (own or below); the short code is printed as a QR code.
CREATE TABLE project_sites (
  code       text PRIMARY KEY CHECK (code ~ '^[0-9A-Z]{8,16}$'),
  project    text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  region     text NOT NULL REFERENCES regions(code),
  contact    text NOT NULL DEFAULT '',
  location   text NOT NULL DEFAULT '',
  version    integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (project, region)
);
CREATE INDEX project_sites_region ON project_sites(region);

-- 政策文件 (policy), 本地化更新 (localised), 工作动态 (update) of a site.
CREATE TABLE site_content (
  id           bigserial PRIMARY KEY,
  site         text NOT NULL REFERENCES project_sites(code) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('policy', 'localised', 'update')),
  title        text NOT NULL DEFAULT '',
  issuer       text NOT NULL DEFAULT '',
  doc_date     text CHECK (doc_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  url          text,
  body         text NOT NULL DEFAULT '',
  published    boolean NOT NULL DEFAULT true,
  published_at timestamptz,
  version      integer NOT NULL DEFAULT 1,
  created_by   text NOT NULL,
  updated_by   text,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX site_content_site ON site_content(site, kind);

-- 意见建议: the phone is kept sealed (AES-256-GCM) with a keyed hash beside it, never in clear.
CREATE TABLE feedback (
  id            bigserial PRIMARY KEY,
  ticket        text NOT NULL UNIQUE,
  site          text NOT NULL REFERENCES project_sites(code) ON DELETE CASCADE,
  kind          text NOT NULL CHECK (kind IN ('suggestion', 'complaint', 'question', 'praise')),
  text          text NOT NULL,
  text_hash     text NOT NULL,
  phone_sealed  text,
  phone_hmac    text,
  phone_masked  text,
  client_hash   text NOT NULL,
  state         text NOT NULL CHECK (state IN ('pending', 'open', 'answered', 'rejected')),
  received_at   timestamptz NOT NULL,
  received_on   text NOT NULL,
  moderated_by  text,
  moderated_at  timestamptz,
  reject_reason text,
  answer        text,
  internal_note text,
  answered_by   text,
  answered_at   timestamptz,
  answered_on   text,
  version       integer NOT NULL DEFAULT 1
);
CREATE INDEX feedback_site_state ON feedback(site, state);
CREATE INDEX feedback_duplicates ON feedback(site, text_hash, received_at);

-- Files of published content (photos, policy documents) and citizens' photos, behind the storage interface.
CREATE TABLE site_files (
  id          text PRIMARY KEY,
  content_id  bigint REFERENCES site_content(id) ON DELETE CASCADE,
  feedback_id bigint REFERENCES feedback(id) ON DELETE CASCADE,
  filename    text NOT NULL,
  media_type  text NOT NULL,
  size        bigint NOT NULL,
  sha256      text NOT NULL,
  storage_key text NOT NULL,
  uploaded_by text NOT NULL,
  uploaded_at timestamptz NOT NULL,
  CHECK ((content_id IS NULL) <> (feedback_id IS NULL))
);
CREATE INDEX site_files_content ON site_files(content_id);
CREATE INDEX site_files_feedback ON site_files(feedback_id);

-- 满意度测评: one rating per client, site and day.
CREATE TABLE satisfaction_ratings (
  id          bigserial PRIMARY KEY,
  site        text NOT NULL REFERENCES project_sites(code) ON DELETE CASCADE,
  rating      text NOT NULL CHECK (rating IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
  client_hash text NOT NULL,
  rated_on    text NOT NULL,
  rated_at    timestamptz NOT NULL,
  UNIQUE (site, client_hash, rated_on)
);

-- Settings that are data, not code (e.g. the disclosure checklist of rule 6).
CREATE TABLE app_settings (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    version: 4,
    name: "data version for caches",
    sql: `
-- One counter that every change to plans or figures bumps (statement triggers), so any process can
-- tell with one cheap read whether what it cached is still current.
CREATE TABLE data_version (
  id      boolean PRIMARY KEY DEFAULT true CHECK (id),
  version bigint NOT NULL
);
INSERT INTO data_version (id, version) VALUES (true, 1);
CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE data_version SET version = version + 1; RETURN NULL; END $$;
CREATE TRIGGER regions_data_version AFTER INSERT OR UPDATE OR DELETE ON regions FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER units_data_version AFTER INSERT OR UPDATE OR DELETE ON units FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER plans_data_version AFTER INSERT OR UPDATE OR DELETE ON plans FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER items_data_version AFTER INSERT OR UPDATE OR DELETE ON items FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER projects_data_version AFTER INSERT OR UPDATE OR DELETE ON projects FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER indicators_data_version AFTER INSERT OR UPDATE OR DELETE ON indicators FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER targets_data_version AFTER INSERT OR UPDATE OR DELETE ON targets FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER reports_data_version AFTER INSERT OR UPDATE OR DELETE ON reports FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
CREATE TRIGGER disclosure_data_version AFTER INSERT OR UPDATE OR DELETE ON disclosure_records FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
`,
  },
  {
    version: 5,
    name: "bulletins: issued snapshots and narrative drafts",
    sql: `
-- 通报: an issued bulletin keeps the composed bulletin (every figure and sentence) as it was on the
-- day of issue, so later corrections of reports do not change it; it is rendered again from this.
CREATE TABLE bulletin_issues (
  id           bigserial PRIMARY KEY,
  region       text NOT NULL REFERENCES regions(code),
  period       text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  plans        text[] NOT NULL,
  year         integer NOT NULL,
  issue_no     integer NOT NULL CHECK (issue_no >= 1),
  issue_date   text NOT NULL CHECK (issue_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  title        text NOT NULL,
  options      jsonb NOT NULL,
  model        jsonb NOT NULL,
  sha256       text NOT NULL,
  data_version bigint,
  issued_by    text NOT NULL,
  issued_at    timestamptz NOT NULL,
  UNIQUE (region, year, issue_no)
);
CREATE INDEX bulletin_issues_region_period ON bulletin_issues(region, period);

-- What staff typed for a bulletin not yet issued (narrative sections, issue number, thresholds),
-- one draft per region, month and set of plans; kept after issue with a link to the issue.
CREATE TABLE bulletin_drafts (
  region     text NOT NULL REFERENCES regions(code),
  period     text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  plans      text NOT NULL,
  content    jsonb NOT NULL,
  version    integer NOT NULL DEFAULT 1,
  issue_id   bigint REFERENCES bulletin_issues(id),
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (region, period, plans)
);
`,
  },
  {
    version: 6,
    name: "security: two-factor sign-in, recovery codes, audit retention anchors, phone purge",
    sql: `
-- Two-factor sign-in (TOTP, RFC 6238): the shared secret is sealed (AES-256-GCM) like citizens'
-- phones; a pending one waits for its first code; the last accepted time step stops replays.
ALTER TABLE users ADD COLUMN totp_secret text;
ALTER TABLE users ADD COLUMN totp_pending text;
ALTER TABLE users ADD COLUMN totp_enabled_at timestamptz;
ALTER TABLE users ADD COLUMN totp_last_step bigint;

-- One-time recovery codes, stored as hashes only.
CREATE TABLE recovery_codes (
  id         bigserial PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash  text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL,
  used_at    timestamptz
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

-- The step between a correct password and a session: short-lived, few attempts, stored hashed.
CREATE TABLE login_challenges (
  id_hash    text PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose    text NOT NULL CHECK (purpose IN ('totp', 'enrol')),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  attempts   integer NOT NULL DEFAULT 0
);
CREATE INDEX login_challenges_user ON login_challenges(user_id);

-- Audit retention: entries older than the retention period are removed from the start of the
-- chain only; the anchor keeps the hash of the last removed entry so the rest still verifies.
CREATE TABLE audit_anchors (
  through_seq  bigint PRIMARY KEY,
  through_hash text NOT NULL,
  through_at   timestamptz NOT NULL,
  pruned       integer NOT NULL,
  created_at   timestamptz NOT NULL
);
CREATE INDEX audit_at ON audit_log(at);

-- PIPL: citizens' phone numbers are purged some time after the feedback is closed.
ALTER TABLE feedback ADD COLUMN phone_purged_at timestamptz;
`,
  },
  {
    version: 7,
    name: "plan editing: row versions for optimistic concurrency",
    sql: `
-- Plan records carry a version so two staff editing at once cannot overwrite each other (a stale
-- version is refused). A row trigger bumps it on every real change, so a bundle import that
-- rewrites a record also makes an editor's stale copy stale.
ALTER TABLE plans ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE items ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE projects ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE indicators ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE targets ADD COLUMN version integer NOT NULL DEFAULT 1;
CREATE FUNCTION bump_row_version() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.version = OLD.version AND NEW IS DISTINCT FROM OLD THEN NEW.version := OLD.version + 1; END IF; RETURN NEW; END $$;
CREATE TRIGGER plans_row_version BEFORE UPDATE ON plans FOR EACH ROW EXECUTE FUNCTION bump_row_version();
CREATE TRIGGER items_row_version BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION bump_row_version();
CREATE TRIGGER projects_row_version BEFORE UPDATE ON projects FOR EACH ROW EXECUTE FUNCTION bump_row_version();
CREATE TRIGGER indicators_row_version BEFORE UPDATE ON indicators FOR EACH ROW EXECUTE FUNCTION bump_row_version();
CREATE TRIGGER targets_row_version BEFORE UPDATE ON targets FOR EACH ROW EXECUTE FUNCTION bump_row_version();
`,
  },
  {
    version: 8,
    name: "sign-in failures and refusals counted per account and per address",
    // One row per scope and key: 'account' (a username, existing or not, so unknown and locked
    // names answer alike), 'address' (sign-in attempts per client address) and 'denied' (anonymous
    // refusals audited one by one, per address). Updated under a row lock, so parallel requests
    // count exactly; the users' own counters move here.
    sql: `
CREATE TABLE failure_counters (
  scope        text NOT NULL,
  key          text NOT NULL,
  failures     integer NOT NULL DEFAULT 0,
  window_start timestamptz NOT NULL,
  locked_until timestamptz,
  refused      integer NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, key)
);
CREATE INDEX failure_counters_window ON failure_counters(window_start);
INSERT INTO failure_counters (scope, key, failures, window_start, locked_until)
  SELECT 'account', username, failed_logins, now(), locked_until FROM users WHERE failed_logins > 0 OR locked_until IS NOT NULL;
ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;
`,
  },
  {
    version: 9,
    name: "administrators' enrolment codes: a first authenticator needs a one-time code",
    sql: `
-- An administrator (系统/安全/审计管理员) binds an authenticator only with a one-time code from a
-- security administrator (or printed once when the server bootstraps the account): the password
-- alone does not let its holder enrol their own phone. One live code per user, stored hashed.
CREATE TABLE enrolment_codes (
  user_id    bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  code_hash  text NOT NULL,
  issued_by  text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
`,
  },
  {
    version: 10,
    name: "scale-out: shared rate limits, stored files, scheduled runs",
    sql: `
-- Rate limits shared by every API instance: one token bucket per rule and client, taken in one
-- statement (apps/api lib/rate-limit.ts). Rows whose bucket is full again (full_at passed) mean
-- nothing and are pruned. Unlogged: losing them in a crash only forgives some requests.
CREATE UNLOGGED TABLE rate_buckets (
  rule     text NOT NULL,
  client   text NOT NULL,
  tokens   double precision NOT NULL,
  at_ms    bigint NOT NULL,
  full_at  bigint NOT NULL,
  allowed  boolean NOT NULL,
  PRIMARY KEY (rule, client)
);

-- Evidence and content files, when the database is a server that several instances share
-- (apps/api lib/storage.ts DatabaseStorage). Never changed in place: added and removed only.
CREATE TABLE stored_files (
  key     text PRIMARY KEY CHECK (key ~ '^[0-9a-f]{2}/[0-9a-f-]{36}$'),
  sha256  text NOT NULL,
  size    integer NOT NULL,
  content bytea NOT NULL
);

-- Scheduled jobs (backups, retention) claimed by one instance per interval (apps/api lib/schedule.ts).
CREATE TABLE scheduled_runs (
  job        text PRIMARY KEY,
  started_at timestamptz NOT NULL,
  holder     text NOT NULL
);
`,
  },
  {
    version: 11,
    name: "data version: moved by counted figures only",
    sql: `
-- What the data version keys (prepared plans: dashboards, bulletins, public site pages) holds only
-- verified and reduced figures (exportBundle). A reporter's draft, evidence or submission used to
-- move it too, so on a deadline day every save threw the prepared province plan away and the next
-- public page read exported it again. Now a write to reports moves it only when a row that counts
-- (verified or reduced) is inserted, changed or deleted, or a row starts or stops counting.
DROP TRIGGER reports_data_version ON reports;
-- (No line of the body ends in a semicolon: migrations are split there.)
CREATE FUNCTION bump_data_version_counted_reports() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP IN ('INSERT', 'UPDATE') THEN
  IF EXISTS (SELECT 1 FROM new_reports WHERE state IN ('verified', 'reduced')) THEN UPDATE data_version SET version = version + 1; RETURN NULL; END IF; END IF; IF TG_OP IN ('UPDATE', 'DELETE') THEN
  IF EXISTS (SELECT 1 FROM old_reports WHERE state IN ('verified', 'reduced')) THEN UPDATE data_version SET version = version + 1; END IF; END IF; RETURN NULL; END $$;
CREATE TRIGGER reports_data_version_insert AFTER INSERT ON reports REFERENCING NEW TABLE AS new_reports
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_counted_reports();
CREATE TRIGGER reports_data_version_update AFTER UPDATE ON reports REFERENCING OLD TABLE AS old_reports NEW TABLE AS new_reports
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_counted_reports();
CREATE TRIGGER reports_data_version_delete AFTER DELETE ON reports REFERENCING OLD TABLE AS old_reports
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version_counted_reports();
`,
  },
  {
    version: 12,
    name: "supervision: observers, their filings and photos, letters with sources and replies",
    sql: `
-- 民生实事观察员 (rule 12): the task force's registry; an entry may be linked to a sign-in account of role observer.
CREATE TABLE observers (
  id         bigserial PRIMARY KEY,
  name       text NOT NULL,
  background text NOT NULL DEFAULT '',
  region     text NOT NULL REFERENCES regions(code),
  group_name text NOT NULL DEFAULT '',
  term       text NOT NULL DEFAULT '',
  -- the first month of duty (聘任): "四个一" owes nothing before it
  since      text NOT NULL CHECK (since ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  user_id    bigint UNIQUE REFERENCES users(id) ON DELETE SET NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX observers_region ON observers(region);

-- 督办函件 (rule 11). Addressed to a unit or to a region (exactly one); numbered per issuer region and
-- year when issued (seq, number), frozen from then on. public: an accepted rectification shown on 码上通.
CREATE TABLE letters (
  id            bigserial PRIMARY KEY,
  kind          text NOT NULL CHECK (kind IN ('reminder', 'work_notice', 'notice', 'assignment', 'warning')),
  issuer_region text NOT NULL REFERENCES regions(code),
  issuer_user   text NOT NULL,
  to_unit       text REFERENCES units(id),
  to_region     text REFERENCES regions(code),
  project       text REFERENCES projects(id) ON DELETE SET NULL,
  subject       text NOT NULL,
  body          text NOT NULL,
  due_on        date NOT NULL,
  state         text NOT NULL CHECK (state IN ('draft', 'issued', 'acknowledged', 'answered', 'accepted', 'returned')),
  year          integer,
  seq           integer,
  number        text,
  issued_at     timestamptz,
  acknowledged_at timestamptz,
  accepted_at   timestamptz,
  return_reason text,
  public        boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL,
  CHECK ((to_unit IS NULL) <> (to_region IS NULL)),
  CHECK ((state = 'draft') = (number IS NULL)),
  UNIQUE (issuer_region, year, seq)
);
CREATE INDEX letters_to_unit ON letters(to_unit);
CREATE INDEX letters_to_region ON letters(to_region);
CREATE INDEX letters_state_due ON letters(state, due_on);
CREATE INDEX letters_project ON letters(project) WHERE public;

-- 观察信息: information, suggestion, inspection (with its information card) or written report, and the task force's triage.
CREATE TABLE observations (
  id             bigserial PRIMARY KEY,
  observer_id    bigint NOT NULL REFERENCES observers(id),
  kind           text NOT NULL CHECK (kind IN ('information', 'suggestion', 'inspection', 'report')),
  text           text NOT NULL,
  site           text REFERENCES project_sites(code) ON DELETE SET NULL,
  project        text REFERENCES projects(id) ON DELETE SET NULL,
  region         text NOT NULL REFERENCES regions(code),
  card           jsonb,
  filed_on       date NOT NULL,
  state          text NOT NULL CHECK (state IN ('submitted', 'no_action', 'forwarded', 'letter')),
  triage_reason  text,
  forward_unit   text REFERENCES units(id),
  forward_region text REFERENCES regions(code),
  letter_id      bigint REFERENCES letters(id),
  triaged_by     text,
  triaged_at     timestamptz,
  created_at     timestamptz NOT NULL
);
CREATE INDEX observations_observer ON observations(observer_id, filed_on);
CREATE INDEX observations_region_state ON observations(region, state);

CREATE TABLE observation_photos (
  id             text PRIMARY KEY,
  observation_id bigint NOT NULL REFERENCES observations(id) ON DELETE CASCADE,
  filename       text NOT NULL,
  media_type     text NOT NULL,
  size           bigint NOT NULL,
  sha256         text NOT NULL,
  storage_key    text NOT NULL,
  uploaded_at    timestamptz NOT NULL
);
CREATE INDEX observation_photos_observation ON observation_photos(observation_id);

-- What a letter is about: an observation, a citizen's feedback, a lagging indicator-region, a missing report.
CREATE TABLE letter_sources (
  letter_id      bigint NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
  position       integer NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('observation', 'feedback', 'lagging', 'missing_report')),
  observation_id bigint REFERENCES observations(id),
  feedback_id    bigint REFERENCES feedback(id) ON DELETE SET NULL,
  indicator      text,
  region         text,
  period         text,
  PRIMARY KEY (letter_id, position)
);
CREATE INDEX letter_sources_observation ON letter_sources(observation_id);

-- 整改情况: the addressee's answers (again after a return), with evidence files.
CREATE TABLE letter_replies (
  id         bigserial PRIMARY KEY,
  letter_id  bigint NOT NULL REFERENCES letters(id) ON DELETE CASCADE,
  text       text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX letter_replies_letter ON letter_replies(letter_id, created_at);

CREATE TABLE letter_reply_files (
  id          text PRIMARY KEY,
  reply_id    bigint NOT NULL REFERENCES letter_replies(id) ON DELETE CASCADE,
  filename    text NOT NULL,
  media_type  text NOT NULL,
  size        bigint NOT NULL,
  sha256      text NOT NULL,
  storage_key text NOT NULL,
  uploaded_by text NOT NULL,
  uploaded_at timestamptz NOT NULL
);
CREATE INDEX letter_reply_files_reply ON letter_reply_files(reply_id);
`,
  },
  {
    version: 13,
    name: "evaluation: unit scorecards, adjustments, issued months, warning notices and interviews",
    sql: `
-- 考评方案: a region's scoring scheme (rule 8), data not code; absent means DESIGN.md's default.
CREATE TABLE scorecard_schemes (
  region     text PRIMARY KEY REFERENCES regions(code),
  scheme     jsonb NOT NULL,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL
);

-- 人工调整: points given or taken by the task force, only with a reason (audited).
CREATE TABLE scorecard_adjustments (
  id         bigserial PRIMARY KEY,
  region     text NOT NULL REFERENCES regions(code),
  period     text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  unit       text NOT NULL REFERENCES units(id),
  points     numeric NOT NULL CHECK (points <> 0),
  reason     text NOT NULL CHECK (length(reason) >= 2),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX scorecard_adjustments_month ON scorecard_adjustments(region, period);

-- 印发: an issued month keeps the computed card (scores, lines, the items behind each count) as it
-- was, so later corrections of reports or letters do not change it.
CREATE TABLE scorecard_issues (
  region    text NOT NULL REFERENCES regions(code),
  period    text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  card      jsonb NOT NULL,
  issued_by text NOT NULL,
  issued_at timestamptz NOT NULL,
  PRIMARY KEY (region, period)
);

-- 预警通知: a unit in the bottom group for the scheme's consecutive issued months. A draft notice
-- record until the supervision letters exist; letter_id links the letter (kind "warning") made from it.
CREATE TABLE warning_notices (
  id         bigserial PRIMARY KEY,
  region     text NOT NULL REFERENCES regions(code),
  period     text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  unit       text NOT NULL REFERENCES units(id),
  months     text[] NOT NULL,
  state      text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'issued', 'closed')),
  letter_id  bigint,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (region, period, unit)
);

-- 约谈: the interview that goes with a warning notice.
CREATE TABLE interviews (
  id          bigserial PRIMARY KEY,
  notice_id   bigint NOT NULL UNIQUE REFERENCES warning_notices(id) ON DELETE CASCADE,
  held_on     text CHECK (held_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  people      text NOT NULL DEFAULT '',
  notes       text NOT NULL DEFAULT '',
  commitments text NOT NULL DEFAULT '',
  follow_up   text NOT NULL DEFAULT '',
  version     integer NOT NULL DEFAULT 1,
  updated_by  text,
  updated_at  timestamptz
);
`,
  },
  {
    version: 14,
    name: "the year around the plan: candidates, the deputies' vote, satisfaction ballots, look-back (rules 13-15)",
    sql: `
-- 征集 / 初选 (rule 13): next year's projects proposed by citizens (码上通, with a ticket, moderated
-- like suggestions), departments and deputies; screened by the task force (adopted or declined with
-- a reason the proposer reads); duplicates merged into another.
CREATE TABLE candidates (
  id            bigserial PRIMARY KEY,
  year          integer NOT NULL,
  region        text NOT NULL REFERENCES regions(code),
  title         text NOT NULL,
  description   text NOT NULL,
  source        text NOT NULL CHECK (source IN ('public', 'department', 'deputy')),
  state         text NOT NULL CHECK (state IN ('pending', 'proposed', 'adopted', 'declined', 'merged', 'rejected')),
  ticket        text UNIQUE,
  client_hash   text,
  text_hash     text,
  merged_into   bigint REFERENCES candidates(id),
  proposed_by   text NOT NULL,
  proposed_at   timestamptz NOT NULL,
  moderated_by  text,
  moderated_at  timestamptz,
  reject_reason text,
  version       integer NOT NULL DEFAULT 1,
  CHECK ((state = 'merged') = (merged_into IS NOT NULL)),
  CHECK (source <> 'public' OR ticket IS NOT NULL)
);
CREATE INDEX candidates_year_region ON candidates(year, region);
CREATE INDEX candidates_duplicates ON candidates(region, text_hash, proposed_at);

CREATE TABLE screenings (
  candidate   bigint PRIMARY KEY REFERENCES candidates(id),
  decision    text NOT NULL CHECK (decision IN ('adopt', 'decline')),
  reason      text,
  cost        numeric,
  funding     text,
  lead_unit   text REFERENCES units(id),
  screened_by text NOT NULL,
  screened_at timestamptz NOT NULL,
  CHECK (decision = 'adopt' OR reason IS NOT NULL)
);

-- 票决: a session of a people's congress; the counts entered by the tellers (vote_tallies) or one
-- ballot per deputy (vote_ballots, unique): one method per session. Published results are frozen.
CREATE TABLE vote_sessions (
  id           bigserial PRIMARY KEY,
  year         integer NOT NULL,
  region       text NOT NULL REFERENCES regions(code),
  level        text NOT NULL CHECK (level IN ('province', 'city', 'county', 'township')),
  date         date NOT NULL,
  entitled     integer NOT NULL CHECK (entitled > 0),
  present      integer NOT NULL CHECK (present >= 0 AND present <= entitled),
  seats        integer NOT NULL CHECK (seats > 0),
  method       text CHECK (method IN ('counts', 'ballots')),
  result       jsonb,
  frozen_at    timestamptz,
  frozen_by    text,
  plan         text REFERENCES plans(id),
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL,
  CHECK ((frozen_at IS NULL) = (result IS NULL))
);
CREATE INDEX vote_sessions_year_region ON vote_sessions(year, region);

CREATE TABLE vote_candidates (
  session   bigint NOT NULL REFERENCES vote_sessions(id) ON DELETE CASCADE,
  candidate bigint NOT NULL REFERENCES candidates(id),
  position  integer NOT NULL,
  project   text REFERENCES projects(id) ON DELETE SET NULL,
  PRIMARY KEY (session, candidate)
);

CREATE TABLE vote_tallies (
  session   bigint NOT NULL,
  candidate bigint NOT NULL,
  votes_for integer NOT NULL CHECK (votes_for >= 0),
  against   integer NOT NULL CHECK (against >= 0),
  abstain   integer NOT NULL CHECK (abstain >= 0),
  PRIMARY KEY (session, candidate),
  FOREIGN KEY (session, candidate) REFERENCES vote_candidates(session, candidate) ON DELETE CASCADE
);

-- Who has voted on a tablet, never how: the choices go straight into vote_tallies (secret ballot).
CREATE TABLE vote_ballots (
  session bigint NOT NULL REFERENCES vote_sessions(id) ON DELETE CASCADE,
  deputy  bigint NOT NULL REFERENCES users(id),
  cast_at timestamptz NOT NULL,
  PRIMARY KEY (session, deputy)
);

-- 满意度测评 (rule 14): a year-end session of deputies rating projects; counts or one ballot per deputy.
CREATE TABLE satisfaction_sessions (
  id         bigserial PRIMARY KEY,
  year       integer NOT NULL,
  region     text NOT NULL REFERENCES regions(code),
  date       date NOT NULL,
  method     text CHECK (method IN ('counts', 'ballots')),
  frozen_at  timestamptz,
  frozen_by  text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE satisfaction_projects (
  session             bigint NOT NULL REFERENCES satisfaction_sessions(id) ON DELETE CASCADE,
  project             text NOT NULL REFERENCES projects(id),
  satisfied           integer NOT NULL DEFAULT 0 CHECK (satisfied >= 0),
  basically_satisfied integer NOT NULL DEFAULT 0 CHECK (basically_satisfied >= 0),
  dissatisfied        integer NOT NULL DEFAULT 0 CHECK (dissatisfied >= 0),
  PRIMARY KEY (session, project)
);

-- As with votes: who has rated, never how (the ratings are added to satisfaction_projects' counts).
CREATE TABLE satisfaction_ballots (
  session bigint NOT NULL REFERENCES satisfaction_sessions(id) ON DELETE CASCADE,
  deputy  bigint NOT NULL REFERENCES users(id),
  cast_at timestamptz NOT NULL,
  PRIMARY KEY (session, deputy)
);

-- Through the year (项目的进度由代表督): deputies' questions to the lead unit of a voted project, and its answers.
CREATE TABLE followup_questions (
  id          bigserial PRIMARY KEY,
  project     text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  question    text NOT NULL,
  asked_by    text NOT NULL,
  asked_at    timestamptz NOT NULL,
  answer      text,
  answered_by text,
  answered_at timestamptz
);
CREATE INDEX followup_questions_project ON followup_questions(project);

-- 回头看 (rule 15): one record per project of last year: the unit's effect assessment, deputies'
-- questions and the unit's answers, and the conclusion (未达到 with its follow-up).
CREATE TABLE lookbacks (
  id           bigserial PRIMARY KEY,
  project      text NOT NULL UNIQUE REFERENCES projects(id),
  assessment   text NOT NULL,
  conclusion   text CHECK (conclusion IN ('met', 'mostly_met', 'not_met')),
  follow_up    text,
  concluded_by text,
  concluded_at timestamptz,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL,
  CHECK (conclusion IS DISTINCT FROM 'not_met' OR follow_up IS NOT NULL)
);

CREATE TABLE lookback_questions (
  id          bigserial PRIMARY KEY,
  lookback    bigint NOT NULL REFERENCES lookbacks(id) ON DELETE CASCADE,
  question    text NOT NULL,
  asked_by    text NOT NULL,
  asked_at    timestamptz NOT NULL,
  answer      text,
  answered_by text,
  answered_at timestamptz
);
`,
  },
  {
    version: 15,
    name: "audit chain linked at commit",
    sql: `
-- The audit chain used to be linked by the appender: it took the chain lock, read the last hash and
-- inserted, then held the lock through the rest of its transaction and the commit (round trips to a
-- busy server). On deadline day (issue 16) every save, upload and submission appends, and that lock
-- was contended. Now an entry is inserted unlinked (a provisional negative number, its hashed text
-- in body); a deferred trigger links each entry when its transaction commits, in the order they were
-- appended (deferred events fire in order): under the lock it numbers it after the last linked entry
-- (or the retention anchor, or genesis) and hashes it onto that one, as audit.ts verifies. Chain
-- order is commit order and the lock is held only inside PostgreSQL. One row at a time, by its own
-- number: a scan for the pending ones would walk the dead index entries they leave. A row inserted
-- already linked (a restore) is left as it is.
ALTER TABLE audit_log ADD COLUMN body text;
ALTER TABLE audit_log ALTER COLUMN prev_hash DROP NOT NULL;
ALTER TABLE audit_log ALTER COLUMN hash DROP NOT NULL;
CREATE SEQUENCE audit_log_pending_seq;
ALTER TABLE audit_log ALTER COLUMN seq SET DEFAULT -nextval('audit_log_pending_seq');
ALTER TABLE audit_log ADD CONSTRAINT audit_log_linked CHECK (
  (seq > 0 AND prev_hash IS NOT NULL AND hash IS NOT NULL AND body IS NULL) OR (seq < 0 AND prev_hash IS NULL AND hash IS NULL AND body IS NOT NULL));
-- (No line of the body ends in a semicolon: migrations are split there.)
CREATE FUNCTION link_audit_entry() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE prev text; h text; BEGIN
  PERFORM pg_advisory_xact_lock(7310502); prev := COALESCE(
    (SELECT hash FROM audit_log WHERE seq > 0 ORDER BY seq DESC LIMIT 1), (SELECT through_hash FROM audit_anchors ORDER BY through_seq DESC LIMIT 1), repeat('0', 64))
  ; h := encode(sha256(convert_to(prev || chr(10) || NEW.body, 'UTF8')), 'hex')
  ; UPDATE audit_log SET seq = nextval('audit_log_seq_seq'), prev_hash = prev, hash = h, body = NULL WHERE seq = NEW.seq; RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER audit_log_link AFTER INSERT ON audit_log DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.hash IS NULL) EXECUTE FUNCTION link_audit_entry();
`,
  },
];

const checksum = (sql: string) => createHash("sha256").update(sql).digest("hex");

/**
 * Applies the steps not yet applied, each in its own transaction, recorded in schema_migrations.
 * On a server, an advisory lock keeps two starting processes from migrating at once.
 */
export async function migrate(db: Database, options: { only?: (version: number) => boolean } = {}): Promise<number[]> {
  // Every start of an installed database: one read, and nothing to do when each step is recorded
  // with its checksum (no DDL, no transaction, no lock). Anything else takes the full path below.
  const wanted = migrations.filter((x) => options.only?.(x.version) ?? true);
  const recorded = await db.query<{ version: number; checksum: string }>("SELECT version, checksum FROM schema_migrations").catch(() => null);
  if (recorded) {
    const have = new Map(recorded.rows.map((r) => [Number(r.version), r.checksum]));
    if (wanted.every((m) => have.get(m.version) === checksum(m.sql))) return [];
  }
  const applied: number[] = [];
  await db.transaction(async (tx) => {
    if (db.kind === "postgres") await tx.query("SELECT pg_advisory_xact_lock(7310501)");
    // Under the lock: two servers starting together on an empty database would otherwise race in
    // CREATE TABLE IF NOT EXISTS (PostgreSQL's pg_type unique violation).
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await tx.query<{ version: number; checksum: string }>("SELECT version, checksum FROM schema_migrations");
    const done = new Map(rows.map((r) => [Number(r.version), r.checksum]));
    // `only`: a restore applies exactly the steps its backup had, loads the rows, then the rest.
    for (const m of wanted) {
      const sum = checksum(m.sql);
      const have = done.get(m.version);
      if (have !== undefined) {
        if (have !== sum) throw new Error(`migration ${m.version} (${m.name}) was changed after it was applied`);
        continue;
      }
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [m.version, m.name, sum]);
      applied.push(m.version);
    }
  });
  return applied;
}

/** Splits a migration into statements (ours hold no semicolons inside literals or bodies). */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
    .filter((s) => s.length > 0);
}
