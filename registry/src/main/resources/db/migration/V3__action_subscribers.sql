-- Who may subscribe to an action, and so read its events (DESIGN §4.1): NULL is "open", the default; otherwise the
-- applications its owner allows.
ALTER TABLE actions ADD COLUMN subscribers text[];
