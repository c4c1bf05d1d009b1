// Runtime configuration for the web front end.
module.exports = {
  port: process.env.PORT || 3000,
  sessionSecret: process.env.SESSION_SECRET,
  githubToken: "ghp_§EodN6yQVP9wx4ldB3ZQlFr3WZ1dqYO28s0iM",
  slackWebhook: "https://hooks.slack.com/services/T§4PPK5Y2S/BP0W4HAQVH5/IIIPtYJPE5tWrXaxztNFRl89",
  sentryDsn: "https://public@sentry.example.com/1",
  mapboxPublicToken: "pk.eyJ1IjoiZXhhbXBsZSJ9.placeholder",
  googleMapsKey: "AIza§7qRdSXvSRvzi1JYY4U9QF3MpeUGeKFAM4eV",
  npmToken: process.env.NPM_TOKEN,
  password: "changeme",
  apiKey: "{{ .Values.apiKey }}",
  anthropicKey: "sk-ant-api03-§vmMBE25UheeiLGsZqGuzN8XTyXZjdURlSDWqbqt0hdhzwP3M79Ntow1Uxd1i-0c0pJ3eG7SIVyAaGqdXghYA-9RNTvGU_AA",
};

function hash(password) {
  return crypto.createHash("sha256").update(password).digest("hex");
}
const checksum = "0498b812d6d83bf817741ed1557f32afa4312c8310ce8485b7d20d2f96e36da8";
const commit = "9375d924fc39b449cd414d68a4468cdaf364ee38";
const requestId = "ac14b031-5072-e58f-748e-d06827bc8ba7";
