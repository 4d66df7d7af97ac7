-- The rarely filtered properties of a record (risk, user agent, original request, …) in one
-- text column, `␟key=value` per value, lower-cased (see `Field::attribute` in
-- app/src/filter.rs). NULL means "not derived yet": rows stored before this migration are
-- filled in from their stored JSON by the server in the background, and filters on these
-- properties answer "still indexing" until none is left. The partial index finds them and is
-- empty once they are done (every insert writes the column).
ALTER TABLE signins ADD COLUMN attrs text COLLATE "C";
CREATE INDEX signins_attrs_pending ON signins (seq) WHERE attrs IS NULL;
