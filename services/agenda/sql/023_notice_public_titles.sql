-- The public title each kept notice gave its exempt items, where a query
-- needs it: an action decided on an exempt item shows those without a
-- standing the public title of the last notice that carried the item, not
-- one the secretariat has drafted since. Notices kept before this take the
-- item's public title now (the best that is known of them).
ALTER TABLE notice_items ADD COLUMN public_title text NOT NULL DEFAULT '';
UPDATE notice_items n SET public_title = i.public_title FROM agenda_items i
    WHERE i.id = n.item_id;
