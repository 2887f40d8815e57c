-- Religion and health status are sensitive personal information under the personal
-- information law (个人信息保护法 art. 28), like disability, illness and subsistence status.
-- New databases get the flag from the fixtures; this marks databases loaded before.
UPDATE data_items SET sensitive = true WHERE key IN ('religion', 'healthStatus') AND NOT sensitive;
