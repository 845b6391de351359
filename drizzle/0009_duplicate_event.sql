-- Raised by a statement that finds its order event recorded already. A transaction whose last
-- statement is sent with COMMIT behind it (the fill's) cannot look at the answer before
-- committing: the error rolls it back instead, and its code tells the store it was a duplicate.
CREATE OR REPLACE FUNCTION duplicate_event(order_id text) RETURNS text AS $$
BEGIN
  RAISE EXCEPTION 'an event of order % is recorded already', order_id USING ERRCODE = 'OMDUP';
END;
$$ LANGUAGE plpgsql VOLATILE;
