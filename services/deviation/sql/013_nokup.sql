-- Version 2 of the category code list: the event types (hendelsestype) of
-- NOKUP, the Norwegian code set for adverse patient events, version 1.1
-- as Helsedirektoratet published it in January 2018 (Volven 7221), as the
-- partnership uses them beside its own cooperation categories (which stay).
-- The home-made NOKUP-* codes of version 1 are retired, each mapped to
-- the event type that takes its place.
INSERT INTO category_versions (version, published, title, actor) VALUES
  (2, '2018-01-01',
   'NOKUP hendelsestype, versjon 1.1 (Helsedirektoratet 01/2018), og helsefellesskapets samhandlingskategorier',
   'system');

INSERT INTO categories (code, name, axis, version, sort_order) VALUES
  ('NOKUP-HT-KLINISK-ADMINISTRASJON', 'Klinisk administrasjon', 'NOKUP', 2, 101),
  ('NOKUP-HT-KLINISK-PROSESS', 'Klinisk prosess / prosedyre', 'NOKUP', 2, 102),
  ('NOKUP-HT-DOKUMENTASJON', 'Dokumentasjon', 'NOKUP', 2, 103),
  ('NOKUP-HT-INFEKSJON', 'Helsetjenesteassosiert infeksjon', 'NOKUP', 2, 104),
  ('NOKUP-HT-LEGEMIDDEL', 'Legemiddel / væske', 'NOKUP', 2, 105),
  ('NOKUP-HT-BLOD', 'Blod / blodprodukter', 'NOKUP', 2, 106),
  ('NOKUP-HT-ERNAERING', 'Ernæring', 'NOKUP', 2, 107),
  ('NOKUP-HT-GASS', 'Oksygen / medisinsk gass', 'NOKUP', 2, 108),
  ('NOKUP-HT-MEDISINSK-UTSTYR', 'Medisinsk utstyr', 'NOKUP', 2, 109),
  ('NOKUP-HT-ATFERD', 'Atferd', 'NOKUP', 2, 110),
  ('NOKUP-HT-PASIENTUHELL', 'Pasientuhell (fall og annen skade)', 'NOKUP', 2, 111),
  ('NOKUP-HT-INFRASTRUKTUR', 'Infrastruktur / bygninger', 'NOKUP', 2, 112),
  ('NOKUP-HT-RESSURSER', 'Ressurser / organisasjon', 'NOKUP', 2, 113);

UPDATE categories SET retired_in = 2
WHERE code IN ('NOKUP-KLINISK-PROSESS', 'NOKUP-LEGEMIDDEL', 'NOKUP-DOKUMENTASJON',
               'NOKUP-ADMINISTRATIV', 'NOKUP-MEDISINSK-UTSTYR', 'NOKUP-ATFERD', 'NOKUP-FALL',
               'NOKUP-INFEKSJON', 'NOKUP-ORGANISASJON');

INSERT INTO category_mappings (version, from_code, to_code) VALUES
  (2, 'NOKUP-KLINISK-PROSESS', 'NOKUP-HT-KLINISK-PROSESS'),
  (2, 'NOKUP-LEGEMIDDEL', 'NOKUP-HT-LEGEMIDDEL'),
  (2, 'NOKUP-DOKUMENTASJON', 'NOKUP-HT-DOKUMENTASJON'),
  (2, 'NOKUP-ADMINISTRATIV', 'NOKUP-HT-KLINISK-ADMINISTRASJON'),
  (2, 'NOKUP-MEDISINSK-UTSTYR', 'NOKUP-HT-MEDISINSK-UTSTYR'),
  (2, 'NOKUP-ATFERD', 'NOKUP-HT-ATFERD'),
  (2, 'NOKUP-FALL', 'NOKUP-HT-PASIENTUHELL'),
  (2, 'NOKUP-INFEKSJON', 'NOKUP-HT-INFEKSJON'),
  (2, 'NOKUP-ORGANISASJON', 'NOKUP-HT-RESSURSER');
