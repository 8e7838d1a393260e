process.env.HOST_ENGINE = '1.59.0';
