/**
 * Every lake table the extraction area defines, registered on import (the CLI's replay and the workers import
 * this). Each source's tables live in their own module; add yours to the imports below.
 */
export {};
