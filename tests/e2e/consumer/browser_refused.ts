// Must NOT typecheck as a browser project: the browser entry has no SharedMemory (a page cannot map
// named shared memory), and the browser condition's declarations say so before a bundler does.
import { SharedMemory } from "atomicx";

SharedMemory.open("never-in-a-page");
