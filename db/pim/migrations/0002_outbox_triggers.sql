-- #11 item 18: every edit of the PIM tables reaches the change outbox, whoever writes it (db/pim/catalog-writes.ts,
-- another tool, a SQL script), in the edit's own transaction: the row commits or rolls back with the edit.
-- One outbox row per changed row, naming the product (a child row's product_id, a deleted product's own id); the
-- relay coalesces rows per product into one publish signal. Valid on MariaDB 10.6+ and MySQL 8 / Aurora MySQL 3:
-- single-statement bodies (no DELIMITER), `<=>` for NULL-safe comparison, INSERT ... SELECT ... FROM DUAL WHERE.
-- A connection that has run `SET @pim_outbox_suppress = 1` writes no rows (bulk loads: the seeder; run a catalogue
-- backfill afterwards). An UPDATE that changes none of the columns the channels publish (only updated_at, or a
-- value set to itself) writes none either. Cascaded foreign-key deletes fire no triggers: deleting a product writes
-- its one row. A column added to these tables later must be added to its UPDATE trigger's comparison.
CREATE TRIGGER products_outbox_insert AFTER INSERT ON products FOR EACH ROW
INSERT INTO change_outbox (aggregate_type, aggregate_id, event)
SELECT 'product', NEW.id, 'products.insert' FROM DUAL WHERE COALESCE(@pim_outbox_suppress, 0) <> 1;
--> statement-breakpoint
CREATE TRIGGER products_outbox_update AFTER UPDATE ON products FOR EACH ROW
INSERT INTO change_outbox (aggregate_type, aggregate_id, event)
SELECT 'product', ids.id, 'products.update'
FROM (SELECT NEW.id AS id UNION SELECT OLD.id) ids
WHERE COALESCE(@pim_outbox_suppress, 0) <> 1
  AND NOT (OLD.id <=> NEW.id AND OLD.handle <=> NEW.handle AND OLD.title <=> NEW.title
    AND OLD.description_html <=> NEW.description_html AND OLD.vendor <=> NEW.vendor
    AND OLD.sub_department_code <=> NEW.sub_department_code AND OLD.tags <=> NEW.tags
    AND OLD.options <=> NEW.options AND OLD.status <=> NEW.status AND OLD.deleted_at <=> NEW.deleted_at);
--> statement-breakpoint
CREATE TRIGGER products_outbox_delete AFTER DELETE ON products FOR EACH ROW
INSERT INTO change_outbox (aggregate_type, aggregate_id, event)
SELECT 'product', OLD.id, 'products.delete' FROM DUAL WHERE COALESCE(@pim_outbox_suppress, 0) <> 1;
--> statement-breakpoint
CREATE TRIGGER variants_outbox_insert AFTER INSERT ON variants FOR EACH ROW
INSERT INTO change_outbox (aggregate_type, aggregate_id, event)
SELECT 'product', NEW.product_id, 'variants.insert' FROM DUAL WHERE COALESCE(@pim_outbox_suppress, 0) <> 1;
--> statement-breakpoint
CREATE TRIGGER variants_outbox_update AFTER UPDATE ON variants FOR EACH ROW
INSERT INTO change_outbox (aggregate_type, aggregate_id, event)
SELECT 'product', ids.id, 'variants.update'
FROM (SELECT NEW.product_id AS id UNION SELECT OLD.product_id) ids
WHERE COALESCE(@pim_outbox_suppress, 0) <> 1
  AND NOT (OLD.id <=> NEW.id AND OLD.product_id <=> NEW.product_id AND OLD.sku <=> NEW.sku
    AND OLD.barcode <=> NEW.barcode AND OLD.option_values <=> NEW.option_values AND OLD.price <=> NEW.price
    AND OLD.compare_at_price <=> NEW.compare_at_price AND OLD.weight <=> NEW.weight
    AND OLD.weight_unit <=> NEW.weight_unit AND OLD.position <=> NEW.position);
--> statement-breakpoint
CREATE TRIGGER variants_outbox_delete AFTER DELETE ON variants FOR EACH ROW
INSERT INTO change_outbox (aggregate_type, aggregate_id, event)
SELECT 'product', OLD.product_id, 'variants.delete' FROM DUAL WHERE COALESCE(@pim_outbox_suppress, 0) <> 1;
--> statement-breakpoint
CREATE TRIGGER images_outbox_insert AFTER INSERT ON images FOR EACH ROW
INSERT INTO change_outbox (aggregate_type, aggregate_id, event)
SELECT 'product', NEW.product_id, 'images.insert' FROM DUAL WHERE COALESCE(@pim_outbox_suppress, 0) <> 1;
--> statement-breakpoint
CREATE TRIGGER images_outbox_update AFTER UPDATE ON images FOR EACH ROW
INSERT INTO change_outbox (aggregate_type, aggregate_id, event)
SELECT 'product', ids.id, 'images.update'
FROM (SELECT NEW.product_id AS id UNION SELECT OLD.product_id) ids
WHERE COALESCE(@pim_outbox_suppress, 0) <> 1
  AND NOT (OLD.product_id <=> NEW.product_id AND OLD.url <=> NEW.url AND OLD.alt <=> NEW.alt
    AND OLD.position <=> NEW.position);
--> statement-breakpoint
CREATE TRIGGER images_outbox_delete AFTER DELETE ON images FOR EACH ROW
INSERT INTO change_outbox (aggregate_type, aggregate_id, event)
SELECT 'product', OLD.product_id, 'images.delete' FROM DUAL WHERE COALESCE(@pim_outbox_suppress, 0) <> 1;
--> statement-breakpoint
CREATE TRIGGER store_attributes_outbox_insert AFTER INSERT ON store_attributes FOR EACH ROW
INSERT INTO change_outbox (aggregate_type, aggregate_id, event)
SELECT 'product', NEW.product_id, 'store_attributes.insert' FROM DUAL WHERE COALESCE(@pim_outbox_suppress, 0) <> 1;
--> statement-breakpoint
CREATE TRIGGER store_attributes_outbox_update AFTER UPDATE ON store_attributes FOR EACH ROW
INSERT INTO change_outbox (aggregate_type, aggregate_id, event)
SELECT 'product', ids.id, 'store_attributes.update'
FROM (SELECT NEW.product_id AS id UNION SELECT OLD.product_id) ids
WHERE COALESCE(@pim_outbox_suppress, 0) <> 1
  AND NOT (OLD.product_id <=> NEW.product_id AND OLD.store_code <=> NEW.store_code AND OLD.attr_key <=> NEW.attr_key
    AND OLD.attr_value <=> NEW.attr_value);
--> statement-breakpoint
CREATE TRIGGER store_attributes_outbox_delete AFTER DELETE ON store_attributes FOR EACH ROW
INSERT INTO change_outbox (aggregate_type, aggregate_id, event)
SELECT 'product', OLD.product_id, 'store_attributes.delete' FROM DUAL WHERE COALESCE(@pim_outbox_suppress, 0) <> 1;
--> statement-breakpoint
-- A sub-department's name is every member's Shopify productType: a rename republishes each live member.
CREATE TRIGGER sub_departments_outbox_update AFTER UPDATE ON sub_departments FOR EACH ROW
INSERT INTO change_outbox (aggregate_type, aggregate_id, event)
SELECT 'product', p.id, 'sub_departments.update' FROM products p
WHERE p.sub_department_code = NEW.code AND p.deleted_at IS NULL AND COALESCE(@pim_outbox_suppress, 0) <> 1
  AND NOT (OLD.name <=> NEW.name);
