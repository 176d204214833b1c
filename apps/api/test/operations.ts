import { apiRoutes } from "../src/app.js";
import { operationsOf } from "../src/lib/operation.js";

/** Every operation the API serves, as declared beside its handler: paths below /api/v1. */
export const operations = operationsOf(apiRoutes());
