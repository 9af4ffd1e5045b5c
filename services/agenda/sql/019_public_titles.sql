-- The public title of an exempt agenda item: what everyone who may not see
-- the item reads in place of its title («Sak om tilsetting»). Items exempt
-- before this have none and keep showing «Unntatt offentlighet».
ALTER TABLE agenda_items ADD COLUMN public_title text NOT NULL DEFAULT '';
