process.env.HOST_ENGINE = '1.62.0';
