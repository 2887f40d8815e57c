-- The screen's panels refresh when the figures behind them change (pushed over socket.io as
-- dataChanged), so the governance tables announce changes as the mapped ones do (004).
CREATE TRIGGER resident_tags_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON resident_tags
  FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER cameras_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cameras
  FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER disputes_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON disputes
  FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER party_activities_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON party_activities
  FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER welfare_funds_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON welfare_funds
  FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER notices_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON notices
  FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER health_coverage_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON health_coverage
  FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER star_reviews_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON star_reviews
  FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
