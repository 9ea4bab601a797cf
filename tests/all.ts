// Every conformance case, registered in this order on every runtime.
import "./cases/int.ts";
import "./cases/bigint.ts";
import "./cases/bool.ts";
import "./cases/float.ts";
import "./cases/common.ts";
import "./cases/properties.ts";
import "./cases/engine.ts";
import "./cases/memory.ts";
import "./cases/loader.ts";
import "./cases/platforms.ts";
import "./cases/workers.ts";
import "./cases/arrays.ts";
import "./cases/counters.ts";
import "./cases/wait.ts";
import "./cases/shm.ts";
import "./cases/shm_collections.ts";
import "./cases/shm_rate_limit.ts";
import "./cases/locks.ts";

export { cases } from "./harness.ts";
