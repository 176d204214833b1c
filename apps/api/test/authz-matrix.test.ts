/**
 * Authorisation matrix: every route of the app × every demo account × a target inside its area
 * (own), outside it (other) and in its region but of a project another unit leads (unit), plus
 * anonymous callers. The expectations are one table below, read
 * by eye; the routes come from `app.routes`, so a route without a row (or a row without a route)
 * fails. Every 2xx answer is also parsed with the success schema the OpenAPI registry documents.
 *
 * Writes are harmless: their bodies are valid but fail after the permission and region checks (an
 * unknown region, user or id; a report whose state forbids the change), so "400" / "404" / "409"
 * in a write's cell means "passed the auth check". The one write that succeeds (PUT /reports)
 * saves October drafts no other row's outcome depends on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultScorecardScheme } from "@minsheng/domain";
import { can } from "../src/auth/roles.js";
import { API_BASE, operationKey, routeKeys } from "../src/lib/operation.js";
import { operations } from "./operations.js";
import { demoAccounts } from "../src/seed.js";
import { type Harness, makeHarness } from "./harness.js";

type Account = "admin" | "province" | "city" | "county" | "reporter" | "reporter-edu" | "reviewer" | "observer" | "security" | "auditor";
type Who = Account | "anonymous";
/** own: a record inside the account's area; other: one outside it; unit: one in the same region of a project another unit leads */
type Scope = "own" | "other" | "unit";
type Outcome = "2xx" | "400" | "401" | "403" | "404" | "409";

// security / auditor: the security and audit administrators (三员分立 with admin, the system administrator)
const accounts: Account[] = ["admin", "province", "city", "county", "reporter", "reporter-edu", "reviewer", "observer", "security", "auditor"];
const everyone: Who[] = [...accounts, "anonymous"];

// ---------------------------------------------------------------------------------------------
// THE TABLE. A cell is "own", "own/other" or "own/other/unit"; an outcome left out is own's. Anonymous callers have one.
//   own   = a region / plan / user record inside the account's area
//   other = one outside it (see `areas` below); admins have no outside, their "other" is just elsewhere
//   unit  = same region, other unit: a report, evidence, site or feedback of another project in own's region,
//           which 市教育局's reporter (reporter-edu) may neither read nor write (rule: a unit sees its own projects only)
// 400 / 404 / 409 on a write = passed the auth check, then refused for its content or the record's state.

const TABLE = `
route                            | admin   | province | city    | county  | reporter | reporter-edu | reviewer | observer | security | auditor | anonymous
GET    /health                   | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx
GET    /openapi.json             | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx
GET    /docs                     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx
GET    /docs/app.js              | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx
GET    /docs/swagger-ui-bundle.js | 2xx    | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx
GET    /docs/swagger-ui.css      | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx
POST   /auth/login               | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400
POST   /auth/logout              | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx
GET    /auth/me                  | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 401
POST   /auth/password            | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 401
POST   /auth/login/totp          | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400
POST   /auth/totp/enrol          | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400
POST   /auth/totp/confirm        | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400
GET    /users                    | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 2xx     | 403     | 401
POST   /users                    | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 400     | 403     | 401
PATCH  /users/{id}               | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 404     | 403     | 401
POST   /users/{id}/totp/reset    | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 404     | 403     | 401
POST   /users/{id}/totp/enrolment-code | 403 | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 404     | 403     | 401
GET    /tokens                   | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 2xx     | 403     | 401
POST   /tokens                   | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 400     | 403     | 401
DELETE /tokens/{id}              | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 404     | 403     | 401
POST   /bundles                  | 400     | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /bundles/{planId}         | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /plans                    | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 403     | 403     | 401
GET    /plans/{planId}/progress  | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 401
POST   /plans                    | 400     | 400/403 | 400/403 | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /plans/{planId}/outline   | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 401
PATCH  /plans/{planId}           | 409     | 409/403 | 409/403 | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 401
POST   /plans/{planId}/items     | 400     | 400/403 | 400/403 | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 401
PATCH  /items/{id}               | 409     | 409/403 | 409/403 | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 401
DELETE /items/{id}               | 409     | 409/403 | 409/403 | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 401
POST   /items/{id}/projects      | 400     | 400/403 | 400/403 | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 401
PATCH  /projects/{id}            | 409     | 409/403 | 409/403 | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 401
DELETE /projects/{id}            | 409     | 409/403 | 409/403 | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 401
POST   /projects/{id}/indicators | 400     | 400/403 | 400/403 | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 401
PATCH  /indicators/{id}          | 409     | 409/403 | 409/403 | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 401
DELETE /indicators/{id}          | 409     | 409/403 | 409/403 | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /indicators/{id}/targets  | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 401
PUT    /indicators/{id}/targets  | 409     | 409/403 | 409/403 | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /disclosure/scores        | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 401
GET    /reports                  | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 401
GET    /reports/tasks            | 2xx     | 403     | 403     | 403     | 2xx     | 2xx     | 403     | 403     | 403     | 403     | 401
GET    /reports/missing          | 2xx     | 2xx     | 2xx     | 2xx     | 403     | 403     | 2xx     | 403     | 403     | 403     | 401
PUT    /reports                  | 2xx     | 403     | 403     | 403     | 2xx/400 | 2xx/400/400 | 403     | 403     | 403     | 403     | 401
GET    /reports/{id}             | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403/403 | 2xx/403 | 403     | 403     | 403     | 401
POST   /reports/{id}/submit      | 409     | 403     | 403     | 403     | 409/403 | 409/403/403 | 403     | 403     | 403     | 403     | 401
POST   /reports/{id}/review      | 409     | 403     | 403     | 403     | 403     | 403     | 409/403 | 403     | 403     | 403     | 401
POST   /reports/{id}/evidence    | 409     | 403     | 403     | 403     | 409/403 | 409/403/403 | 403     | 403     | 403     | 403     | 401
GET    /reports/{id}/evidence    | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403/403 | 2xx/403 | 403     | 403     | 403     | 401
GET    /evidence/{id}            | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403/403 | 2xx/403 | 403     | 403     | 403     | 401
DELETE /evidence/{id}            | 409     | 403     | 403     | 403     | 409/403 | 409/403/403 | 403     | 403     | 403     | 403     | 401
GET    /audit/verify             | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 2xx     | 401
GET    /audit/log                | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 2xx     | 401
GET    /audit/history            | 403     | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 2xx/403 | 403     | 403     | 2xx     | 401
GET    /sites                    | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 403     | 401
GET    /sites/stats              | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 403     | 401
PATCH  /sites/{code}             | 409     | 409/403 | 409/403 | 409/403 | 409/403 | 409/403/403 | 403     | 403     | 403     | 403     | 401
GET    /projects/{id}/qr.svg     | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403/403 | 403     | 403     | 403     | 403     | 401
GET    /projects/{id}/qr.png     | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403/403 | 403     | 403     | 403     | 403     | 401
GET    /projects/{id}/sign.pdf   | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403/403 | 403     | 403     | 403     | 403     | 401
GET    /sites/{code}/content     | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403/403 | 403     | 403     | 403     | 403     | 401
POST   /sites/{code}/content     | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403/403 | 403     | 403     | 403     | 403     | 401
PATCH  /content/{id}             | 409     | 409/403 | 409/403 | 409/403 | 409/403 | 409/403/403 | 403     | 403     | 403     | 403     | 401
POST   /content/{id}/files       | 400     | 400/403 | 400/403 | 400/403 | 400/403 | 400/403/403 | 403     | 403     | 403     | 403     | 401
GET    /feedback                 | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 403     | 401
GET    /feedback/{id}            | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403/403 | 403     | 403     | 403     | 403     | 401
POST   /feedback/{id}/moderate   | 409     | 409/403 | 409/403 | 409/403 | 403     | 403     | 403     | 403     | 403     | 403     | 401
POST   /feedback/{id}/answer     | 409     | 409/403 | 409/403 | 409/403 | 409/403 | 409/403/403 | 403     | 403     | 403     | 403     | 401
POST   /feedback/{id}/phone      | 403     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403/403 | 403     | 403     | 403     | 403     | 401
GET    /feedback/{id}/photo      | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403/403 | 403     | 403     | 403     | 403     | 401
GET    /disclosure/compliance    | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 401
GET    /disclosure/checklist     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 403     | 403     | 401
PUT    /disclosure/checklist     | 2xx     | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /public/sites             | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx
GET    /public/sites/{code}      | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx
POST   /public/sites/{code}/feedback | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400
POST   /public/sites/{code}/rating | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400
GET    /public/tickets/{ticket}  | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx
GET    /public/files/{id}        | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx
GET    /bulletins                | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /bulletins/draft          | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 403     | 403     | 403     | 401
PUT    /bulletins/draft          | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 403     | 403     | 403     | 401
POST   /bulletins                | 409     | 409/403 | 409/403 | 409/403 | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /bulletins/issues         | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /bulletins/issues/{id}    | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /imports/reports/template | 2xx     | 403     | 403     | 403     | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 403     | 401
POST   /imports/reports          | 400     | 403     | 403     | 403     | 400     | 400     | 403     | 403     | 403     | 403     | 401
GET    /observers                | 403     | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 403     | 403     | 403     | 401
POST   /observers                | 403     | 400/403 | 400/403 | 400/403 | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /observers/duties         | 403     | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /observers/me             | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 2xx     | 403     | 403     | 401
POST   /observations             | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 400     | 403     | 403     | 401
GET    /observations             | 403     | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 2xx     | 403     | 403     | 401
GET    /observations/card        | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 2xx     | 403     | 403     | 401
GET    /observations/{id}        | 403     | 2xx/404 | 2xx/404 | 2xx/404 | 403     | 403     | 403     | 2xx/404 | 403     | 403     | 401
POST   /observations/{id}/photos | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 400/404 | 403     | 403     | 401
GET    /observations/{id}/photos/{photoId} | 403 | 2xx/404 | 2xx/404 | 2xx/404 | 403  | 403     | 403     | 2xx/404 | 403     | 403     | 401
POST   /observations/{id}/triage | 403     | 400/404 | 400/404 | 400/404 | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /letters                  | 403     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 403     | 401
POST   /letters                  | 403     | 400     | 400     | 400     | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /letters/{id}             | 403     | 2xx/404 | 2xx/404 | 2xx/404 | 2xx/404 | 404     | 403     | 403     | 403     | 403     | 401
PATCH  /letters/{id}             | 403     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 403     | 403     | 401
POST   /letters/{id}/issue       | 403     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 403     | 403     | 401
POST   /letters/{id}/acknowledge | 403     | 404     | 404     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 401
POST   /letters/{id}/replies     | 403     | 404     | 404     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 401
POST   /letters/{id}/replies/{replyId}/files | 403 | 404 | 404  | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 401
GET    /letters/{id}/files/{fileId} | 403  | 404     | 404     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 401
POST   /letters/{id}/accept      | 403     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 403     | 403     | 401
POST   /letters/{id}/return      | 403     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /scorecards               | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 401
GET    /scorecards/scheme        | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 401
PUT    /scorecards/scheme        | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /scorecards/units/{unit}  | 400     | 2xx/403/2xx | 400/403/400 | 400/403/400 | 400/403/400 | 400/403/403 | 400/403/400 | 403 | 403     | 403     | 401
GET    /scorecards/adjustments   | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 401
POST   /scorecards/adjustments   | 400     | 400/403 | 400/403 | 400/403 | 403     | 403     | 403     | 403     | 403     | 403     | 401
POST   /scorecards/issue         | 400     | 400/403 | 400/403 | 400/403 | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /scorecards/trend         | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 401
GET    /scorecards/warnings      | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 401
PUT    /scorecards/interviews/{id} | 404   | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /quality                  | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 403     | 401
GET    /plans/{planId}/risks     | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 401
GET    /candidates               | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 401
POST   /candidates               | 400     | 400     | 400     | 400     | 400     | 400     | 403     | 400     | 403     | 403     | 401
POST   /candidates/{id}/moderate | 404     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 403     | 403     | 401
POST   /candidates/{id}/screen   | 404     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 403     | 403     | 401
POST   /candidates/{id}/merge    | 404     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 403     | 403     | 401
POST   /public/proposals         | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400     | 400
GET    /public/proposals/tickets/{ticket}| 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404
GET    /votes                    | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 401
POST   /votes                    | 400     | 400     | 400     | 400     | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /votes/{id}               | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 403     | 403     | 401
POST   /votes/{id}/tally         | 404     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 403     | 403     | 401
POST   /votes/{id}/ballots       | 403     | 403     | 403     | 403     | 403     | 403     | 403     | 404     | 403     | 403     | 401
GET    /votes/{id}/result        | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 403     | 403     | 401
POST   /votes/{id}/publish       | 404     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 403     | 403     | 401
POST   /votes/{id}/plan          | 404     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /public/congress          | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx     | 2xx
GET    /satisfaction             | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 401
POST   /satisfaction             | 400     | 400     | 400     | 400     | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /satisfaction/{id}        | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 404     | 403     | 403     | 401
POST   /satisfaction/{id}/counts | 404     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 403     | 403     | 401
POST   /satisfaction/{id}/ballots| 403     | 403     | 403     | 403     | 403     | 403     | 403     | 404     | 403     | 403     | 401
POST   /satisfaction/{id}/publish| 404     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 403     | 403     | 401
GET    /followups                | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 401
POST   /followups                | 400     | 400     | 400     | 400     | 403     | 403     | 403     | 400     | 403     | 403     | 401
POST   /followups/{id}/answer    | 404     | 404     | 404     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 401
GET    /lookback                 | 2xx     | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 2xx/403 | 403     | 403     | 401
POST   /lookback                 | 400     | 400     | 400     | 400     | 400     | 400     | 403     | 403     | 403     | 403     | 401
POST   /lookback/{id}/questions  | 404     | 404     | 404     | 404     | 403     | 403     | 403     | 404     | 403     | 403     | 401
POST   /lookback/questions/{id}/answer| 404     | 404     | 404     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 401
POST   /lookback/{id}/conclude   | 404     | 404     | 404     | 404     | 403     | 403     | 403     | 403     | 403     | 403     | 401
`;

/**
 * Targets inside (own) and outside (other) each account's area. Reports and evidence are named by
 * indicator@region (filled in by beforeAll): the imported September figure of 徐特立项目 (led by
 * 市教育局, so also in reporter-edu's unit) and a submitted October report with one file.
 */
type Target = [own: string, other: string, unit?: string];
type Targets = { region: Target; plan: Target; user: Target; report: Target; site: Target; answer: Target };
// site: a project site (project@region) to work on; answer: one whose feedback the account answers (its own office or unit).
// The third target (unit) is a record of another project in the same region as own: for 市教育局's reporter, a project
// another unit leads (p04, led by 市卫健委); where it is absent or a record kind knows no unit, it is own's.
const countyLevel: Targets = {
  region: ["430523", "430524"],
  plan: ["sy2024", "ly2024"],
  user: ["county", "reviewer"],
  report: ["p01@430523", "p01@430524", "p04@430523"],
  site: ["p04@430523", "p04@430524", "p01@430523"],
  answer: ["p04@430523", "p04@430524", "p01@430523"],
};
const cityLevel: Targets = {
  region: ["430523", "430000"],
  plan: ["sy2024", "gd2024"],
  user: ["county", "province"],
  report: ["p01@430523", "gd@440000", "p04@430523"],
  site: ["p04@430523", "gd@440000", "p01@430523"],
  answer: ["p04@430500", "gd@440000", "p01@430500"],
};
const everywhere: Targets = { ...countyLevel, user: ["county", "province"] };
const areas: Record<Account, Targets> = {
  admin: everywhere,
  province: {
    region: ["430500", "440000"],
    plan: ["hn2024", "gd2024"],
    user: ["city", "admin"],
    report: ["p01@430523", "gd@440000", "p04@430523"],
    site: ["p04@430523", "gd@440000", "p01@430523"],
    answer: ["p04@430000", "gd@440000", "p01@430000"],
  },
  city: cityLevel,
  county: { ...countyLevel, user: ["reporter", "reviewer"] },
  reporter: countyLevel,
  // 市教育局 leads p01, not p04: its unit target is the same region's p04
  "reporter-edu": { ...cityLevel, site: ["p01@430523", "gd@440000", "p04@430523"], answer: ["p01@430523", "gd@440000", "p04@430523"] },
  reviewer: cityLevel,
  observer: cityLevel,
  // the security and audit administrators act everywhere (no region), within their own permissions
  security: everywhere,
  auditor: everywhere,
};

/** region → id of its issued 第 1 期 (通报); the plans a bulletin of the region covers */
const bulletins = new Map<string, number>();
const bulletinPlans = (region: string) => (region === "440000" ? "gd2024" : "hn2024");

/** indicator@region → id of the imported September report / of the October report / of its file */
const september = new Map<string, number>();
const october = new Map<string, { report: number; evidence: string }>();
/** project@region → its site's code, a piece of its content, a feedback (with phone and photo) */
const sites = new Map<string, { code: string; content: number; feedback: number; ticket: string; file: string }>();
const siteOf = (key: string) => sites.get(key)!;
const [siteProject, siteRegion] = [(key: string) => (key.startsWith("gd") ? "gd2024-p01" : `hn2024-${key.split("@")[0]}`), (key: string) => key.split("@")[1]!];

interface Req {
  path: string;
  body?: unknown;
  /** sign in afresh for this call (logout ends the session it is sent with) */
  freshSession?: boolean;
}

const pick = (who: Who, scope: Scope, what: keyof Targets) => {
  const [own, other, unit = own] = areas[who === "anonymous" ? "county" : who][what];
  return scope === "own" ? own : scope === "other" ? other : unit;
};

/** A plan's first item, project and indicator, and a region below the plan's where a target may be split to. */
const planRecords: Record<string, { item: string; project: string; indicator: string; region: string }> = {
  hn2024: { item: "hn2024-i01", project: "hn2024-p01", indicator: "hn2024-p01-a", region: "430523" },
  sy2024: { item: "sy2024-i01", project: "sy2024-p01", indicator: "sy2024-p01-a", region: "430523" },
  ly2024: { item: "ly2024-i1", project: "ly2024-p01", indicator: "ly2024-p01-a", region: "430524" },
  gd2024: { item: "gd2024-i1", project: "gd2024-p01", indicator: "gd2024-p01-a", region: "440000" },
};
const recordsOf = (who: Who, scope: Scope) => planRecords[pick(who, scope, "plan")]!;
/** The region (and level) a new plan is issued for: the account's own region, or one outside its area. */
const issuer = (who: Who, scope: Scope) => {
  if (scope === "other") return { region: "440000", level: "province" };
  const region = who === "admin" ? "430500" : (demoAccounts.find((d) => d.username === who)?.region ?? "430500");
  return { region, level: region === "430000" ? "province" : region === "430500" ? "city" : "county" };
};

/** How each route is called. */
const requests: Record<string, (who: Who, scope: Scope) => Req> = {
  "GET /health": () => ({ path: "/health" }),
  "GET /openapi.json": () => ({ path: "/openapi.json" }),
  "GET /docs": () => ({ path: "/docs" }),
  "GET /docs/app.js": () => ({ path: "/docs/app.js" }),
  "GET /docs/swagger-ui-bundle.js": () => ({ path: "/docs/swagger-ui-bundle.js" }),
  "GET /docs/swagger-ui.css": () => ({ path: "/docs/swagger-ui.css" }),
  "POST /auth/login": () => ({ path: "/auth/login", body: {} }),
  "POST /auth/logout": () => ({ path: "/auth/logout", freshSession: true }),
  "GET /auth/me": () => ({ path: "/auth/me" }),
  // a wrong current password: refused after the sign-in check (it counts one failure towards the account's lockout)
  "POST /auth/password": () => ({ path: "/auth/password", body: { currentPassword: "not-the-password-1", newPassword: "a-new-password-2" } }),
  // two-factor sign-in: a malformed challenge or a missing code is refused before anything else (all public)
  "POST /auth/login/totp": () => ({ path: "/auth/login/totp", body: {} }),
  "POST /auth/totp/enrol": () => ({ path: "/auth/totp/enrol", body: { challenge: "!" } }),
  "POST /auth/totp/confirm": () => ({ path: "/auth/totp/confirm", body: {} }),
  "GET /users": () => ({ path: "/users" }),
  "POST /users": () => ({ path: "/users", body: { username: "matrix-user", displayName: "矩阵", password: "matrix-pass-2024", role: "observer", region: "999999" } }),
  "PATCH /users/{id}": () => ({ path: "/users/999999", body: { displayName: "矩阵" } }),
  "POST /users/{id}/totp/reset": () => ({ path: "/users/999999/totp/reset" }),
  "POST /users/{id}/totp/enrolment-code": () => ({ path: "/users/999999/totp/enrolment-code" }),
  "GET /tokens": () => ({ path: "/tokens" }),
  "POST /tokens": () => ({ path: "/tokens", body: { name: "matrix", userId: 999999 } }),
  "DELETE /tokens/{id}": () => ({ path: "/tokens/999999" }),
  "POST /bundles": () => ({ path: "/bundles", body: {} }),
  "GET /bundles/{planId}": (who, scope) => ({ path: `/bundles/${pick(who, scope, "plan")}` }),
  "GET /plans": () => ({ path: "/plans" }),
  "GET /plans/{planId}/progress": (who, scope) => ({ path: `/plans/hn2024/progress?period=2024-09&region=${pick(who, scope, "region")}` }),
  // 计划管理: "own" is a plan the account's region issued (or one it sees), "other" one outside its area.
  // Writes carry a stale version (409), a used number or id (400), or name a region outside the area (403).
  "POST /plans": (who, scope) => ({ path: "/plans", body: { id: "hn2024", year: 2024, title: "矩阵", ...issuer(who, scope) } }),
  "GET /plans/{planId}/outline": (who, scope) => ({ path: `/plans/${pick(who, scope, "plan")}/outline` }),
  "PATCH /plans/{planId}": (who, scope) => ({ path: `/plans/${pick(who, scope, "plan")}`, body: { version: 999999, title: "矩阵" } }),
  "POST /plans/{planId}/items": (who, scope) => ({ path: `/plans/${pick(who, scope, "plan")}/items`, body: { id: "matrix-item", no: 1, title: "矩阵" } }),
  "PATCH /items/{id}": (who, scope) => ({ path: `/items/${recordsOf(who, scope).item}`, body: { version: 999999, title: "矩阵" } }),
  "DELETE /items/{id}": (who, scope) => ({ path: `/items/${recordsOf(who, scope).item}?version=999999` }),
  "POST /items/{id}/projects": (who, scope) => ({ path: `/items/${recordsOf(who, scope).item}/projects`, body: { id: "matrix-project", no: 1, title: "矩阵", leadUnit: "edu" } }),
  "PATCH /projects/{id}": (who, scope) => ({ path: `/projects/${recordsOf(who, scope).project}`, body: { version: 999999, title: "矩阵" } }),
  "DELETE /projects/{id}": (who, scope) => ({ path: `/projects/${recordsOf(who, scope).project}?version=999999` }),
  "POST /projects/{id}/indicators": (who, scope) => ({
    path: `/projects/${recordsOf(who, scope).project}/indicators`,
    body: { id: "hn2024-p01-a", name: "矩阵", unit: "个", kind: "quantity", aggregation: "sum" },
  }),
  "PATCH /indicators/{id}": (who, scope) => ({ path: `/indicators/${recordsOf(who, scope).indicator}`, body: { version: 999999, name: "矩阵" } }),
  "DELETE /indicators/{id}": (who, scope) => ({ path: `/indicators/${recordsOf(who, scope).indicator}?version=999999` }),
  "GET /indicators/{id}/targets": (who, scope) => ({ path: `/indicators/${recordsOf(who, scope).indicator}/targets` }),
  "PUT /indicators/{id}/targets": (who, scope) => ({
    path: `/indicators/${recordsOf(who, scope).indicator}/targets`,
    body: { targets: [{ region: recordsOf(who, scope).region, value: 5, version: 999999 }] },
  }),
  "GET /disclosure/scores": (who, scope) => ({ path: `/disclosure/scores?period=2024-09&region=${pick(who, scope, "region")}` }),
  "GET /reports": (who, scope) => ({ path: `/reports?period=2024-09&limit=5&region=${pick(who, scope, "region")}` }),
  "GET /reports/tasks": () => ({ path: "/reports/tasks?period=2024-10" }),
  "GET /reports/missing": () => ({ path: "/reports/missing?period=2024-09" }),
  "PUT /reports": (who, scope) => ({
    path: "/reports",
    // p14 is led by 市教育局, p05 by 市民政局
    body: { indicator: scope === "unit" ? "hn2024-p05-a" : "hn2024-p14-a", region: pick(who, scope, "region"), period: "2024-10", value: 85, narrative: "矩阵测试 · matrix" },
  }),
  "GET /reports/{id}": (who, scope) => ({ path: `/reports/${september.get(pick(who, scope, "report"))}` }),
  "POST /reports/{id}/submit": (who, scope) => ({ path: `/reports/${september.get(pick(who, scope, "report"))}/submit`, body: {} }),
  "POST /reports/{id}/review": (who, scope) => ({ path: `/reports/${september.get(pick(who, scope, "report"))}/review`, body: { version: 1, action: "verify" } }),
  "POST /reports/{id}/evidence": (who, scope) => ({ path: `/reports/${september.get(pick(who, scope, "report"))}/evidence` }),
  "GET /reports/{id}/evidence": (who, scope) => ({ path: `/reports/${october.get(pick(who, scope, "report"))!.report}/evidence` }),
  "GET /evidence/{id}": (who, scope) => ({ path: `/evidence/${october.get(pick(who, scope, "report"))!.evidence}` }),
  "DELETE /evidence/{id}": (who, scope) => ({ path: `/evidence/${october.get(pick(who, scope, "report"))!.evidence}` }),
  "GET /audit/verify": () => ({ path: "/audit/verify" }),
  "GET /audit/log": () => ({ path: "/audit/log?action=auth.&limit=5" }),
  "GET /audit/history": (who, scope) => ({ path: `/audit/history?entity=user&id=${pick(who, scope, "user")}` }),
  "GET /sites": (who, scope) => ({ path: `/sites?limit=5&region=${pick(who, scope, "region")}` }),
  "GET /sites/stats": (who, scope) => ({ path: `/sites/stats?region=${pick(who, scope, "region")}` }),
  "PATCH /sites/{code}": (who, scope) => ({ path: `/sites/${siteOf(pick(who, scope, "site")).code}`, body: { version: 999999, contact: "矩阵" } }),
  "GET /projects/{id}/qr.svg": (who, scope) => ({ path: `/projects/${siteProject(pick(who, scope, "site"))}/qr.svg?region=${siteRegion(pick(who, scope, "site"))}` }),
  "GET /projects/{id}/qr.png": (who, scope) => ({ path: `/projects/${siteProject(pick(who, scope, "site"))}/qr.png?region=${siteRegion(pick(who, scope, "site"))}` }),
  "GET /projects/{id}/sign.pdf": (who, scope) => ({ path: `/projects/${siteProject(pick(who, scope, "site"))}/sign.pdf?region=${siteRegion(pick(who, scope, "site"))}` }),
  "GET /sites/{code}/content": (who, scope) => ({ path: `/sites/${siteOf(pick(who, scope, "site")).code}/content` }),
  "POST /sites/{code}/content": (who, scope) => ({ path: `/sites/${siteOf(pick(who, scope, "site")).code}/content`, body: { kind: "localised", text: "矩阵测试 · matrix" } }),
  "PATCH /content/{id}": (who, scope) => ({ path: `/content/${siteOf(pick(who, scope, "site")).content}`, body: { version: 999999, text: "矩阵" } }),
  "POST /content/{id}/files": (who, scope) => ({ path: `/content/${siteOf(pick(who, scope, "site")).content}/files`, body: emptyUpload() }),
  "GET /feedback": (who, scope) => ({ path: `/feedback?limit=5&region=${pick(who, scope, "region")}` }),
  "GET /feedback/{id}": (who, scope) => ({ path: `/feedback/${siteOf(pick(who, scope, "answer")).feedback}` }),
  "POST /feedback/{id}/moderate": (who, scope) => ({ path: `/feedback/${siteOf(pick(who, scope, "answer")).feedback}/moderate`, body: { action: "approve", version: 999999 } }),
  "POST /feedback/{id}/answer": (who, scope) => ({ path: `/feedback/${siteOf(pick(who, scope, "answer")).feedback}/answer`, body: { answer: "矩阵", version: 999999 } }),
  "POST /feedback/{id}/phone": (who, scope) => ({ path: `/feedback/${siteOf(pick(who, scope, "answer")).feedback}/phone` }),
  "GET /feedback/{id}/photo": (who, scope) => ({ path: `/feedback/${siteOf(pick(who, scope, "answer")).feedback}/photo` }),
  "GET /disclosure/compliance": (who, scope) => ({ path: `/disclosure/compliance?period=2024-09&region=${pick(who, scope, "region")}` }),
  "GET /disclosure/checklist": () => ({ path: "/disclosure/checklist" }),
  "PUT /disclosure/checklist": () => ({ path: "/disclosure/checklist", body: {} }),
  "GET /public/sites": () => ({ path: "/public/sites?region=430523&limit=5" }),
  "GET /public/sites/{code}": () => ({ path: `/public/sites/${siteOf("p04@430523").code}` }),
  "POST /public/sites/{code}/feedback": () => ({ path: `/public/sites/${siteOf("p04@430523").code}/feedback`, body: { kind: "suggestion", text: "短" } }),
  "POST /public/sites/{code}/rating": () => ({ path: `/public/sites/${siteOf("p04@430523").code}/rating`, body: { rating: "meh" } }),
  "GET /public/tickets/{ticket}": () => ({ path: `/public/tickets/${siteOf("p04@430523").ticket}` }),
  "GET /public/files/{id}": () => ({ path: `/public/files/${siteOf("p04@430523").file}` }),
  // 通报: a bulletin of the region; issuing 第 1 期 again is refused (409) once past the checks
  "GET /bulletins": (who, scope) => ({ path: `/bulletins?plan=${bulletinPlans(pick(who, scope, "region"))}&region=${pick(who, scope, "region")}&period=2024-09` }),
  "GET /bulletins/draft": (who, scope) => ({ path: `/bulletins/draft?plan=${bulletinPlans(pick(who, scope, "region"))}&region=${pick(who, scope, "region")}&period=2024-09` }),
  "PUT /bulletins/draft": (who, scope) => ({
    path: "/bulletins/draft",
    body: { plans: bulletinPlans(pick(who, scope, "region")).split(","), region: pick(who, scope, "region"), period: "2024-10", content: { sections: { 工作打算: "矩阵测试 · matrix" } } },
  }),
  "POST /bulletins": (who, scope) => ({
    path: "/bulletins",
    body: { plans: bulletinPlans(pick(who, scope, "region")).split(","), region: pick(who, scope, "region"), period: "2024-09", issueNo: 1, date: "2024-10-09" },
  }),
  "GET /bulletins/issues": (who, scope) => ({ path: `/bulletins/issues?region=${pick(who, scope, "region")}` }),
  "GET /bulletins/issues/{id}": (who, scope) => ({ path: `/bulletins/issues/${bulletins.get(pick(who, scope, "region"))}` }),
  "GET /imports/reports/template": (who, scope) => ({ path: `/imports/reports/template?period=2024-10&region=${pick(who, scope, "region")}` }),
  "POST /imports/reports": () => ({ path: "/imports/reports", body: emptyUpload("empty.xlsx") }),
  // 督办 (rules 11-12): own = a filing on 邵阳县's p04 site by the observer / an issued letter of the city to 邵阳县;
  // other = a filing in 广东省 / a letter that does not exist. Writes fail after the checks (unknown site, unit, user; a past deadline).
  "GET /observers": (who, scope) => ({ path: `/observers?region=${pick(who, scope, "region")}` }),
  "POST /observers": (who, scope) => ({ path: "/observers", body: { name: "矩阵", background: "教师", region: pick(who, scope, "region"), group: "矩阵组", userId: 999999 } }),
  "GET /observers/duties": (who, scope) => ({ path: `/observers/duties?period=2024-09&region=${pick(who, scope, "region")}` }),
  "GET /observers/me": () => ({ path: "/observers/me" }),
  "POST /observations": () => ({ path: "/observations", body: { kind: "information", text: "矩阵测试观察信息", site: "ZZZZZZZZ" } }),
  "GET /observations": (who, scope) => ({ path: `/observations?limit=5&region=${pick(who, scope, "region")}` }),
  "GET /observations/card": () => ({ path: `/observations/card?site=${siteOf("p04@430523").code}` }),
  "GET /observations/{id}": (_who, scope) => ({ path: `/observations/${supervision[scope === "other" ? "otherObservation" : "observation"]}` }),
  "POST /observations/{id}/photos": (_who, scope) => ({ path: `/observations/${supervision[scope === "other" ? "otherObservation" : "observation"]}/photos`, body: emptyUpload() }),
  "GET /observations/{id}/photos/{photoId}": (_who, scope) => ({
    path: scope === "other" ? `/observations/${supervision.otherObservation}/photos/${supervision.photo}` : `/observations/${supervision.observation}/photos/${supervision.photo}`,
  }),
  "POST /observations/{id}/triage": (_who, scope) => ({ path: `/observations/${supervision[scope === "other" ? "otherObservation" : "observation"]}/triage`, body: { action: "forward", to: { unit: "nope" } } }),
  "GET /letters": (who, scope) => ({ path: `/letters?region=${pick(who, scope, "region")}` }),
  "POST /letters": (who, scope) => ({ path: "/letters", body: { kind: "reminder", to: { region: pick(who, scope, "region") }, subject: "矩阵", body: "矩阵测试", dueOn: "2024-09-01" } }),
  "GET /letters/{id}": (_who, scope) => ({ path: `/letters/${scope === "other" ? 999999 : supervision.letter}` }),
  "PATCH /letters/{id}": () => ({ path: "/letters/999999", body: { subject: "矩阵测试" } }),
  "POST /letters/{id}/issue": () => ({ path: "/letters/999999/issue" }),
  "POST /letters/{id}/acknowledge": () => ({ path: "/letters/999999/acknowledge" }),
  "POST /letters/{id}/replies": () => ({ path: "/letters/999999/replies", body: { text: "矩阵测试答复" } }),
  "POST /letters/{id}/replies/{replyId}/files": () => ({ path: "/letters/999999/replies/1/files", body: emptyUpload() }),
  "GET /letters/{id}/files/{fileId}": () => ({ path: "/letters/999999/files/00000000-0000-4000-8000-000000000000" }),
  "POST /letters/{id}/accept": () => ({ path: "/letters/999999/accept", body: {} }),
  "POST /letters/{id}/return": () => ({ path: "/letters/999999/return", body: { reason: "矩阵测试" } }),
  // 考评: the region's month; writes fail after the checks (an unknown unit, a month not over, no such interview),
  // except setting the region's scheme to the default (what it is already)
  "GET /scorecards": (who, scope) => ({ path: `/scorecards?region=${pick(who, scope, "region")}&period=2024-09` }),
  "GET /scorecards/scheme": (who, scope) => ({ path: `/scorecards/scheme?region=${pick(who, scope, "region")}` }),
  "PUT /scorecards/scheme": (who, scope) => ({ path: `/scorecards/scheme?region=${pick(who, scope, "region")}`, body: defaultScorecardScheme }),
  // 市教育局's reporter may read its own unit's card only: "unit" asks for 市民政局's
  "GET /scorecards/units/{unit}": (who, scope) => ({ path: `/scorecards/units/${scope === "unit" ? "mz" : "edu"}?region=${pick(who, scope, "region")}&period=2024-09` }),
  "GET /scorecards/adjustments": (who, scope) => ({ path: `/scorecards/adjustments?region=${pick(who, scope, "region")}&period=2024-09` }),
  "POST /scorecards/adjustments": (who, scope) => ({ path: "/scorecards/adjustments", body: { region: pick(who, scope, "region"), period: "2024-09", unit: "matrix-unit", points: 1, reason: "矩阵测试" } }),
  "POST /scorecards/issue": (who, scope) => ({ path: "/scorecards/issue", body: { region: pick(who, scope, "region"), period: "2024-10" } }),
  "GET /scorecards/trend": (who, scope) => ({ path: `/scorecards/trend?region=${pick(who, scope, "region")}&year=2024` }),
  "GET /scorecards/warnings": (who, scope) => ({ path: `/scorecards/warnings?region=${pick(who, scope, "region")}` }),
  "PUT /scorecards/interviews/{id}": () => ({ path: "/scorecards/interviews/999999", body: { version: 1, heldOn: null, people: "", notes: "", commitments: "", followUp: "" } }),
  "GET /quality": (who, scope) => ({ path: `/quality?period=2024-09&region=${pick(who, scope, "region")}` }),
  "GET /plans/{planId}/risks": (who, scope) => ({ path: `/plans/hn2024/risks?period=2024-09&region=${pick(who, scope, "region")}` }),
  // 票决制 and the year around the plan (rules 13-15): lists by region; writes refused after the auth check
  // (an unknown region, candidate, session, ballot or project), so nothing is written
  "GET /candidates": (who, scope) => ({ path: `/candidates?region=${pick(who, scope, "region")}` }),
  "POST /candidates": () => ({ path: "/candidates", body: { year: 2025, region: "999999", title: "矩阵测试", description: "", source: "deputy" } }),
  "POST /candidates/{id}/moderate": () => ({ path: "/candidates/999999/moderate", body: { decision: "approve" } }),
  "POST /candidates/{id}/screen": () => ({ path: "/candidates/999999/screen", body: { decision: "adopt" } }),
  "POST /candidates/{id}/merge": () => ({ path: "/candidates/999999/merge", body: { into: 999998 } }),
  "POST /public/proposals": () => ({ path: "/public/proposals", body: {} }),
  "GET /public/proposals/tickets/{ticket}": () => ({ path: "/public/proposals/tickets/0000000000AB" }),
  "GET /votes": (who, scope) => ({ path: `/votes?region=${pick(who, scope, "region")}` }),
  "POST /votes": () => ({ path: "/votes", body: { region: "999999", level: "city", date: "2025-01-10", entitled: 30, present: 30, seats: 1, candidates: [999998, 999999] } }),
  "GET /votes/{id}": () => ({ path: "/votes/999999" }),
  "POST /votes/{id}/tally": () => ({ path: "/votes/999999/tally", body: { counts: [{ candidate: 1, for: 1, against: 0, abstain: 0 }] } }),
  "POST /votes/{id}/ballots": () => ({ path: "/votes/999999/ballots", body: { choices: [{ candidate: 1, choice: "for" }] } }),
  "GET /votes/{id}/result": () => ({ path: "/votes/999999/result" }),
  "POST /votes/{id}/publish": () => ({ path: "/votes/999999/publish" }),
  "POST /votes/{id}/plan": () => ({ path: "/votes/999999/plan" }),
  "GET /public/congress": () => ({ path: "/public/congress?region=430500&year=2025" }),
  "GET /satisfaction": (who, scope) => ({ path: `/satisfaction?region=${pick(who, scope, "region")}` }),
  "POST /satisfaction": () => ({ path: "/satisfaction", body: { region: "999999", year: 2024, date: "2024-12-20", projects: ["hn2024-p01"] } }),
  "GET /satisfaction/{id}": () => ({ path: "/satisfaction/999999" }),
  "POST /satisfaction/{id}/counts": () => ({ path: "/satisfaction/999999/counts", body: { counts: [{ project: "hn2024-p01", satisfied: 1, basically_satisfied: 0, dissatisfied: 0 }] } }),
  "POST /satisfaction/{id}/ballots": () => ({ path: "/satisfaction/999999/ballots", body: { ratings: [{ project: "hn2024-p01", rating: "satisfied" }] } }),
  "POST /satisfaction/{id}/publish": () => ({ path: "/satisfaction/999999/publish" }),
  "GET /followups": (who, scope) => ({ path: `/followups?region=${pick(who, scope, "region")}` }),
  "POST /followups": () => ({ path: "/followups", body: { project: "no-such-project", question: "矩阵测试" } }),
  "POST /followups/{id}/answer": () => ({ path: "/followups/999999/answer", body: { answer: "矩阵测试" } }),
  "GET /lookback": (who, scope) => ({ path: `/lookback?region=${pick(who, scope, "region")}` }),
  "POST /lookback": () => ({ path: "/lookback", body: { project: "no-such-project", assessment: "矩阵测试" } }),
  "POST /lookback/{id}/questions": () => ({ path: "/lookback/999999/questions", body: { question: "矩阵测试" } }),
  "POST /lookback/questions/{id}/answer": () => ({ path: "/lookback/questions/999999/answer", body: { answer: "矩阵测试" } }),
  "POST /lookback/{id}/conclude": () => ({ path: "/lookback/999999/conclude", body: { conclusion: "met" } }),
};

/** 督办: the records the supervision rows aim at (set up after the others, below). */
const supervision = { observation: 0, otherObservation: 0, photo: "", letter: 0 };

/** A multipart body whose file is empty: refused (400) after the permission and region checks. */
function emptyUpload(name = "empty.png"): FormData {
  const form = new FormData();
  form.append("file", new Blob([]), name);
  return form;
}

// ---------------------------------------------------------------------------------------------

interface Row {
  key: string;
  cells: Record<Who, string>;
}

function parseTable(text: string): Row[] {
  const [header, ...lines] = text.trim().split("\n").map((l) => l.split("|").map((c) => c.trim()));
  const who = header!.slice(1) as Who[];
  expect(who).toEqual(everyone);
  return lines.map((cols) => {
    const key = cols[0]!.replace(/\s+/, " ");
    const cells = Object.fromEntries(who.map((w, i) => [w, cols[i + 1]!])) as Record<Who, string>;
    for (const [w, cell] of Object.entries(cells)) expect(cell, `${key} ${w}`).toMatch(/^(2xx|40[01349])(\/(2xx|40[01349])){0,2}$/);
    return { key, cells };
  });
}

const table = parseTable(TABLE);
const expected = (row: Row, who: Who, scope: Scope): Outcome => {
  const [own, other = own, unit = own] = row.cells[who].split("/") as [Outcome, Outcome?, Outcome?];
  return scope === "own" ? own : scope === "other" ? other : unit;
};
const outcome = (status: number): string => (status >= 200 && status < 300 ? "2xx" : String(status));
const roleOf = (a: Account) => demoAccounts.find((d) => d.username === a)!.role;
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, ...new TextEncoder().encode("IHDR"), 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);

/** A plan of another county (隆回县) and a province outside Hunan, so "other" has something to hit. */
const extraBundle = {
  format: "minsheng.bundle/v1",
  regions: [
    { code: "430000", name: "湖南省", level: "province", parent: null },
    { code: "430500", name: "邵阳市", level: "city", parent: "430000" },
    { code: "430524", name: "隆回县", level: "county", parent: "430500" },
    { code: "440000", name: "广东省", level: "province", parent: null },
  ],
  units: [
    { id: "lh-zj", name: "隆回县住建局", region: "430524" },
    { id: "gd-jy", name: "广东省教育厅", region: "440000" },
  ],
  plans: [
    { id: "ly2024", year: 2024, level: "county", region: "430524", title: "2024年隆回县民生实事", schedule: "linear-monthly" },
    { id: "gd2024", year: 2024, level: "province", region: "440000", title: "2024年广东省民生实事", schedule: "linear-monthly" },
  ],
  items: [
    { id: "ly2024-i1", plan: "ly2024", no: 1, title: "改善居住条件" },
    { id: "gd2024-i1", plan: "gd2024", no: 1, title: "教育" },
  ],
  projects: [
    { id: "ly2024-p01", item: "ly2024-i1", no: 1, title: "老旧小区改造", leadUnit: "lh-zj" },
    { id: "gd2024-p01", item: "gd2024-i1", no: 1, title: "学位建设", leadUnit: "gd-jy" },
  ],
  indicators: [
    { id: "ly2024-p01-a", project: "ly2024-p01", name: "改造小区", unit: "个", kind: "quantity", aggregation: "sum" },
    { id: "gd2024-p01-a", project: "gd2024-p01", name: "新增学位", unit: "个", kind: "quantity", aggregation: "sum" },
  ],
  targets: [
    { indicator: "ly2024-p01-a", region: "430524", value: 10 },
    { indicator: "gd2024-p01-a", region: "440000", value: 1000 },
  ],
  progress: [{ indicator: "gd2024-p01-a", region: "440000", period: "2024-09", value: 500 }],
};

let h: Harness;
const cookies = new Map<Account, string>();

beforeAll(async () => {
  h = await makeHarness();
  for (const a of accounts) cookies.set(a, await h.login(a));
  const res = await h.call(cookies.get("admin")!, "POST", `${API_BASE}/bundles`, extraBundle);
  if (res.status !== 201) throw new Error(`extra bundle: ${res.status} ${await res.text()}`);
  const admin = cookies.get("admin")!;
  const ok = async (res: Response, status: number) => {
    if (res.status !== status) throw new Error(`setup: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: number | string };
  };
  for (const [key, indicator, region, value] of [
    ["p01@430523", "hn2024-p01-a", "430523", 95],
    ["p01@430524", "hn2024-p01-a", "430524", 99.5],
    ["gd@440000", "gd2024-p01-a", "440000", 600],
    ["p04@430523", "hn2024-p04-a", "430523", 200],
  ] as const) {
    const { rows } = await h.deps.db.query<{ id: string }>("SELECT id FROM reports WHERE indicator = $1 AND region = $2 AND period = '2024-09'", [indicator, region]);
    september.set(key, Number(rows[0]!.id));
    const report = await ok(await h.call(admin, "PUT", `${API_BASE}/reports`, { indicator, region, period: "2024-10", value, narrative: "矩阵测试 · matrix" }), 201);
    const form = new FormData();
    form.append("file", new Blob([png], { type: "image/png" }), "现场.png");
    const evidence = await ok(await h.call(admin, "POST", `${API_BASE}/reports/${report.id}/evidence`, form), 201);
    await ok(await h.call(admin, "POST", `${API_BASE}/reports/${report.id}/submit`, {}), 200);
    october.set(key, { report: Number(report.id), evidence: String(evidence.id) });
  }
  // 码上通: a site per key with content, a photo and a citizen's feedback (phone and photo) awaiting moderation
  h.deps.rateLimiter = { take: () => ({ allowed: true, retryAfterSeconds: 0 }) };
  await ok(await h.call(admin, "GET", `${API_BASE}/sites?limit=1`), 200);
  for (const key of ["p04@430523", "p04@430524", "p04@430000", "p04@430500", "p01@430523", "p01@430500", "p01@430000", "gd@440000"]) {
    const { rows } = await h.deps.db.query<{ code: string }>("SELECT code FROM project_sites WHERE project = $1 AND region = $2", [siteProject(key), siteRegion(key)]);
    const code = rows[0]!.code;
    const content = await ok(await h.call(admin, "POST", `${API_BASE}/sites/${code}/content`, { kind: "update", text: `矩阵 ${key}`, date: "2024-10-08" }), 201);
    const photo = new FormData();
    photo.append("file", new Blob([png], { type: "image/png" }), "现场.png");
    const file = await ok(await h.call(admin, "POST", `${API_BASE}/content/${content.id}/files`, photo), 201);
    const feedback = new FormData();
    feedback.append("kind", "suggestion");
    feedback.append("text", `矩阵测试的意见建议 ${key}`);
    feedback.append("phone", "13912345678");
    feedback.append("photo", new Blob([png], { type: "image/png" }), "photo.png");
    const { ticket } = (await ok(await h.call(null, "POST", `${API_BASE}/public/sites/${code}/feedback`, feedback), 201)) as unknown as { ticket: string };
    const { rows: fb } = await h.deps.db.query<{ id: string }>("SELECT id FROM feedback WHERE ticket = $1", [ticket]);
    sites.set(key, { code, content: Number(content.id), feedback: Number(fb[0]!.id), ticket, file: String(file.id) });
  }
  // 通报: 第 1 期 of every region a row aims at
  for (const region of ["430523", "430524", "430500", "430000", "440000"]) {
    const issued = await ok(await h.call(admin, "POST", `${API_BASE}/bulletins`, { plans: [bulletinPlans(region)], region, period: "2024-09", issueNo: 1, date: "2024-10-09" }), 201);
    bulletins.set(region, Number(issued.id));
  }
}, 120_000);
// 督办: the observer account registered in 邵阳县 files on a site there with a photo; a filing in 广东省
// (outside every staff area below the province's); the city's letter to 邵阳县, issued.
beforeAll(async () => {
  const ok = async (res: Response, status: number) => {
    if (res.status !== status) throw new Error(`setup: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: number | string };
  };
  const { rows } = await h.deps.db.query<{ id: string }>("SELECT id FROM users WHERE username = 'observer'");
  await ok(await h.call(cookies.get("city")!, "POST", `${API_BASE}/observers`, { name: "矩阵观察员", background: "教师", region: "430523", group: "矩阵组", userId: Number(rows[0]!.id) }), 201);
  const filed = await ok(await h.call(cookies.get("observer")!, "POST", `${API_BASE}/observations`, { kind: "information", text: "矩阵测试观察信息", site: siteOf("p04@430523").code }), 201);
  supervision.observation = Number(filed.id);
  const photo = new FormData();
  photo.append("photo", new Blob([png], { type: "image/png" }), "现场.png");
  supervision.photo = String((await ok(await h.call(cookies.get("observer")!, "POST", `${API_BASE}/observations/${filed.id}/photos`, photo), 201)).id);
  const other = await h.deps.db.query<{ id: string }>(
    `WITH o AS (INSERT INTO observers (name, region, since, created_by, created_at) VALUES ('广东观察员', '440000', '2024-01', 'matrix', now()) RETURNING id)
     INSERT INTO observations (observer_id, kind, text, region, filed_on, state, created_at) SELECT id, 'information', '矩阵', '440000', '2024-10-08', 'submitted', now() FROM o RETURNING id`,
  );
  supervision.otherObservation = Number(other.rows[0]!.id);
  const letter = await ok(
    await h.call(cookies.get("city")!, "POST", `${API_BASE}/letters`, { kind: "work_notice", to: { region: "430523" }, subject: "矩阵测试函", body: "矩阵测试", dueOn: "2024-12-31" }),
    201,
  );
  await ok(await h.call(cookies.get("city")!, "POST", `${API_BASE}/letters/${letter.id}/issue`), 200);
  supervision.letter = Number(letter.id);
}, 120_000);
afterAll(() => h?.dispose());

const methodOf = (key: string) => key.split(" ")[0]!;
const successSchema = (key: string) => operations.find((o) => operationKey(o) === key)?.success.schema;

async function run(key: string, who: Who, scope: Scope): Promise<{ status: number; problem?: string }> {
  const req = requests[key]!(who, scope);
  const cookie = who === "anonymous" ? null : req.freshSession ? await h.login(who) : cookies.get(who)!;
  const res = await h.call(cookie, methodOf(key), `${API_BASE}${req.path}`, req.body);
  const text = await res.text();
  if (res.status >= 200 && res.status < 300) {
    const schema = successSchema(key);
    if (schema) {
      const parsed = schema.safeParse(JSON.parse(text));
      if (!parsed.success) return { status: res.status, problem: `answer does not match the documented schema: ${parsed.error.message.slice(0, 500)}` };
    }
  } else if (!text.startsWith('{"error":')) return { status: res.status, problem: `error body is not the common error body: ${text.slice(0, 200)}` };
  return { status: res.status };
}

describe("authorisation matrix", () => {
  it("has exactly one row and one request for every route of the app", () => {
    const routes = routeKeys(h.app.routes);
    expect(table.map((r) => r.key).sort()).toEqual(routes);
    expect(Object.keys(requests).sort()).toEqual(routes);
  });

  it("agrees with the permissions the OpenAPI registry declares (auth/roles.ts grants)", () => {
    for (const row of table) {
      const op = operations.find((o) => operationKey(o) === row.key);
      expect(op, `${row.key} has an OpenAPI entry`).toBeDefined();
      const anon = expected(row, "anonymous", "own");
      if (op!.access === "public") expect(anon, `${row.key} anonymous`).not.toBe("401");
      else expect(anon, `${row.key} anonymous`).toBe("401");
      for (const a of accounts) {
        const cell = row.cells[a];
        if (op!.access === "public" || op!.access === "signed-in") expect(cell, `${row.key} ${a}`).not.toMatch(/40[13]/);
        else if (can(roleOf(a), op!.access) && !(op!.notFor ?? []).includes(roleOf(a))) expect(expected(row, a, "own"), `${row.key} ${a} own`).not.toMatch(/40[13]/);
        else expect(cell, `${row.key} ${a} (role ${roleOf(a)} is not admitted by ${op!.access})`).toBe("403");
      }
    }
  });

  for (const row of table) {
    it(`${row.key}`, async () => {
      const want: Record<string, string> = {};
      const got: Record<string, string> = {};
      const problems: string[] = [];
      for (const who of everyone) {
        const scopes: Scope[] = who === "anonymous" ? ["own"] : ["own", "other", "unit"];
        const results: string[] = [];
        for (const scope of scopes) {
          const same = scope !== "own" && JSON.stringify(requests[row.key]!(who, "own")) === JSON.stringify(requests[row.key]!(who, scope));
          const r = same ? null : await run(row.key, who, scope);
          results.push(r ? outcome(r.status) : results[0]!);
          if (r?.problem) problems.push(`${who} ${scope}: ${r.problem}`);
        }
        want[who] = scopes.map((scope) => expected(row, who, scope)).join("/");
        got[who] = results.join("/");
      }
      expect(got).toEqual(want);
      expect(problems).toEqual([]);
    }, 120_000);
  }
});

describe("what a caller sees inside a 2xx", () => {
  const listed = async (a: Account) =>
    ((await (await h.call(cookies.get(a)!, "GET", `${API_BASE}/plans`)).json()) as { plans: { id: string }[] }).plans.map((p) => p.id).sort();

  it("GET /plans lists the plans issued within the caller's area or above it, no others", async () => {
    expect(await listed("admin")).toEqual(["gd2024", "hn2024", "ly2024", "sy2024"]);
    expect(await listed("province")).toEqual(["hn2024", "ly2024", "sy2024"]);
    expect(await listed("city")).toEqual(["hn2024", "ly2024", "sy2024"]);
    expect(await listed("county")).toEqual(["hn2024", "sy2024"]);
    expect(await listed("reporter")).toEqual(["hn2024", "sy2024"]);
  });

  it("GET /reports lists a unit's reporter only the reports of the projects its unit leads, counted alike", async () => {
    type Listing = { total: number; reports: { project: { leadUnit: string } }[] };
    const list = async (a: Account, extra = "") => (await (await h.call(cookies.get(a)!, "GET", `${API_BASE}/reports?region=430523&limit=5000${extra}`)).json()) as Listing;
    const county = await list("reporter"); // 邵阳县's reporter, tied to no unit: every project of the county
    const edu = await list("reporter-edu");
    expect(county.reports.some((r) => r.project.leadUnit !== "edu")).toBe(true);
    expect(edu.reports.length).toBeGreaterThan(0);
    expect(edu.reports.filter((r) => r.project.leadUnit !== "edu")).toEqual([]);
    expect(edu.total).toBe(county.reports.filter((r) => r.project.leadUnit === "edu").length);
    expect((await list("reporter-edu", "&offset=100000")).total).toBe(edu.total); // paged past the end: the same count
  });

  it("GET /feedback and GET /sites list a unit's reporter only its unit's projects", async () => {
    const feedback = (await (await h.call(cookies.get("reporter-edu")!, "GET", `${API_BASE}/feedback?region=430523&limit=200`)).json()) as { feedback: { site: { unit: { id: string } } }[] };
    expect(feedback.feedback.length).toBeGreaterThan(0);
    expect(feedback.feedback.filter((f) => f.site.unit.id !== "edu")).toEqual([]);
    const sites = (await (await h.call(cookies.get("reporter-edu")!, "GET", `${API_BASE}/sites?region=430523&limit=200`)).json()) as { sites: { unit: { id: string } }[] };
    expect(sites.sites.length).toBeGreaterThan(0);
    expect(sites.sites.filter((x) => x.unit.id !== "edu")).toEqual([]);
  });

  it("GET /disclosure/scores of the city names only the city's counties", async () => {
    const res = await h.call(cookies.get("city")!, "GET", `${API_BASE}/disclosure/scores?period=2024-09&region=430500`);
    const { scores } = (await res.json()) as { scores: { region: string }[] };
    expect(scores.length).toBeGreaterThan(0);
    for (const s of scores) expect(s.region.startsWith("4305")).toBe(true);
  });

  it("GET /audit/history lets a reviewer read the records of its area only", async () => {
    const own = await h.call(cookies.get("reviewer")!, "GET", `${API_BASE}/audit/history?entity=user&id=reporter`);
    expect(own.status).toBe(200);
    expect(((await own.json()) as { entries: unknown[] }).entries.length).toBeGreaterThan(0);
    expect((await h.call(cookies.get("reviewer")!, "GET", `${API_BASE}/audit/history?entity=user&id=admin`)).status).toBe(403);
    expect((await h.call(cookies.get("reviewer")!, "GET", `${API_BASE}/audit/history?entity=plan&id=sy2024`)).status).toBe(200);
    expect((await h.call(cookies.get("reviewer")!, "GET", `${API_BASE}/audit/history?entity=plan&id=hn2024`)).status).toBe(403);
    expect((await h.call(cookies.get("reviewer")!, "GET", `${API_BASE}/audit/history?entity=api_token&id=1`)).status).toBe(403);
    expect((await h.call(cookies.get("reviewer")!, "GET", `${API_BASE}/audit/history?entity=report&id=${october.get("p01@430523")!.report}`)).status).toBe(200);
    expect((await h.call(cookies.get("reviewer")!, "GET", `${API_BASE}/audit/history?entity=report&id=${october.get("gd@440000")!.report}`)).status).toBe(403);
    expect((await h.call(cookies.get("county")!, "GET", `${API_BASE}/audit/history?entity=report&id=${october.get("p01@430523")!.report}`)).status).toBe(403);
    expect((await h.call(cookies.get("auditor")!, "GET", `${API_BASE}/audit/history?entity=api_token&id=1`)).status).toBe(200);
    expect((await h.call(cookies.get("admin")!, "GET", `${API_BASE}/audit/history?entity=api_token&id=1`)).status).toBe(403);
    expect((await h.call(cookies.get("reviewer")!, "GET", `${API_BASE}/audit/history?entity=constructor&id=1`)).status).toBe(403);
  });
});
