-- A change of an agenda item names its item, so that the notice prints it
-- without the title while the item is exempt from public access (also
-- when it was made exempt after the change).
ALTER TABLE agenda_changes ADD COLUMN item_id uuid;
ALTER TABLE agenda_changes ADD COLUMN public_description text;
