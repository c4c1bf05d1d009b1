INSERT INTO users (name, email, password_hash) VALUES
  ('admin', 'admin@example.com', '$argon2id$v=19$m=65536,t=3,p=4$lKMoJ3Yf22isNlhaMK+v76$dXPt+NfWoEU1XYwliqfWPxQm8qvBacbTRaML/Ynqnkj');
INSERT INTO integrations (name, api_key) VALUES ('pagerduty', '§BXwPzr2LYZv3UAWowRSX');
INSERT INTO settings (key, value) VALUES ('theme', 'dark');
CREATE USER reporting WITH PASSWORD '§dofxs1%JPpRTEM47';
