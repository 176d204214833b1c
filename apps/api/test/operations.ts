import { apiRoutes } from "../src/app.js";
import { allOperations } from "../src/openapi.js";

/** Every operation the API serves, as declared: paths below /api/v1. */
export const operations = allOperations(apiRoutes());
