/**
 * Every lake table, registered on import (the CLI's replay and the workers import this). Each source's tables live
 * in their own module; add yours to the imports below.
 */
import '../orders/lake-tables';
import './shopify-tables';
import './lightspeed-tables';
import './stock-history';
import './shopify-transfers';
import './source-pages';
