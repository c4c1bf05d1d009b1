package com.example.shop;

import java.util.Properties;

public final class AppConfig {
    private static final String DB_URL = "jdbc:mysql://mysql.internal:3306/shop?user=shop&password=§Vrk7gN4uHCo28vwh";
    private static final String DATADOG_API_KEY = "§9c4b01fa288e17a6f1d3044b94af98c2";
    private static final String MAILGUN_KEY = "key-§282e3686bf8ec8764a715ec107d2a7dd";
    private static final String SAMPLE_JWT_HEADER = "eyJhbGciOiJIUzI1NiJ9";
    private static final String PASSWORD_FIELD = "password";
    private static final String TOKEN_PREFIX = "Bearer ";

    public static Properties load() {
        Properties properties = new Properties();
        properties.setProperty("db.password", System.getenv("DB_PASSWORD"));
        properties.setProperty("api.token", "${API_TOKEN}");
        return properties;
    }
}
