// Starts Unleash for shipdeck's tests: database and port from the environment, one admin token.
const unleash = require('unleash-server');
const token = process.env.UNLEASH_TEST_ADMIN_TOKEN;
unleash
  .start({
    db: {
      host: '127.0.0.1',
      port: Number(process.env.UNLEASH_TEST_PG_PORT),
      user: 'postgres',
      password: 'unused',
      database: 'postgres',
      ssl: false,
    },
    server: { port: Number(process.env.UNLEASH_TEST_PORT), host: '127.0.0.1' },
    authentication: {
      initApiTokens: [
        { environment: '*', projects: ['*'], secret: token, type: 'admin', tokenName: 'shipdeck-test' },
      ],
    },
    versionCheck: { enable: false },
    telemetry: false,
    logLevel: 'warn',
  })
  .then(() => console.log('unleash started'))
  .catch((e) => { console.error(e); process.exit(1); });
