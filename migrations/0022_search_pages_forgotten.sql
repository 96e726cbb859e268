-- Searches kept for paging live in the process's memory now (storage::search_pages): what
-- people search for is not written to the disk any more, and an upgraded server drops the
-- queries of the last hour with the table (secure_delete zeroes its pages). A results button
-- from before the upgrade answers "search again", as an expired one always did.
DROP TABLE search_pages;
