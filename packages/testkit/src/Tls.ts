/**
 * A self-signed certificate for 127.0.0.1 and localhost (valid until 2126),
 * so tests can run HTTPS simulators: pass `Tls.selfSigned` as a server's
 * `tls` option and trust `Tls.selfSigned.cert` in the client (for
 * `@effect/platform-node`'s undici client: an `Undici.Agent` with
 * `connect: { ca: Tls.selfSigned.cert }` as its `Dispatcher`). Test use only:
 * the private key is public.
 *
 * @since 0.1.0
 * @module
 */

/** A key and certificate in PEM. */
export interface KeyPair {
  readonly key: string
  readonly cert: string
}

/**
 * The test certificate and its key.
 *
 * @since 0.2.0
 */
export const selfSigned: KeyPair = {
  key: `-----BEGIN PRIVATE KEY-----
MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQDYtz5y2VUZLjOE
/FFnHbxR9hJcbykk0E52/RO45oNFX5S+Wkd9w2oTKzQWd9zyEpXiUrEcNmgvTw5k
Nf6PEV2rnK3omI7cF0HstDaMrW1qVphnD6tGcvoVIkjM3itSpWyeevJxbj/4V++7
iqb16Y8B11992WcBn2cHvo0IkU4KqSoYhXtpmM7/IB9qT0jYqD33YROwRHT+g31g
H7jmigQdF9KaKtEkuuuDI2zg51o1bIDA8dleAnxZq1uHBQWMUSRd8INF1mq4gpj4
2Q0OGlFBpvqekPyBtqufWL+pZy64rB2WCkvXA5J0oeox/1Y0jl7PEjSGGpSEgOmE
QTk9KnPNAgMBAAECggEACDveGYr8WrqQporXpO1STGLnC7AFhiqL8KVo7GuFrUsW
Ya0YbkTQcO4BSqE/OctO+oxdwk6m4rVEPLZ4d4MXZf/L87xoISCZFp86O1oTgCjO
HYxQ25peuhLVZUNDrh4u5E6Ti4++yna82wlHkqxPDKjcLfHmof8mcPribOLobisx
RnmBOX4FRll70OSLcxTnDuqon/5WyCccHa0/rY8MgA1qrdjVoMftmew0P51G0XBC
9YzLd6UwZ6dxGu51fM53Wxf5niyGeiNIUZsuATbTCRli5BmfRtkr7q6IwN1x9WLH
hLB2TElay2zQAsYROLmcGCZWQaUiXn9kRVtyrfOQmQKBgQD9DOBoZ3tNezKiNGMe
9QcOC03K/1kXFV3T7DIG7pmXdDrvTu4bPBlYwjg3Oo5U1muvSUapx50bSf3l36oG
baXdWNv6aRNeiErfC0hYwNNR/Zy+ZbEfIX4iS6g4dcIjcbONuzb/AyJiDKX9rNPg
GJnfGtrEgyaezSmsIgbO6LeNJwKBgQDbPfEvfL5t8XJN4PadfMg9t6uyhQXP+wwj
Gbm9MdmYI2whrFdKM7qese2o0SqBflo5Ht11dDH35sZDCD+bDqKf5N3EEPmtH2Gg
VuVBUYKaG30t4aNFKraAtLIGizgvYaBBxdqZ2+9EENcs7C25RCvuw8ytfphAMHod
2LIVeDO36wKBgQDDGgd3V7nAnmkGmL+HocGjuWFsTv4Ahy/FckmMALCZDjtWQRPi
Ga8tOOmg41vT21JBXozF4CqoXJ8OeikcNbP5ekZ4xkTx0MFxQMCx9VG42IHeZodu
iiM3DAASL/DT5RlcAGlBqsf6sufUM0lUcYNJeeoMM1Y2f9ZOahm3s8O5ZwKBgQCJ
/a2tRuWQy3Q3Qk3Wh/B8r/r4bLNg2VElUo7OXu7my/zGIPP79x0Rv0mnhKctQ/rD
kwKuZ4j/0BefnzRxgr+mxeUy/8A2T9chlS/MceIy3vRmCWu7IAwobBLU/ZFKeTbl
zwMs7fnlrHfShYCt6BOCv2g3FsP7OsfRu08zJinfKwKBgQCbru1u9Zvr5Ocq5fVZ
bX8QFeBFIEHCqBxB5notnv8wsfZ/q1DJ45RfJWk++KN7IcJiYDgV9vros5wqBHDM
mpulTiYeMI7qKtTCwNeg6lMCBJAFsBi14gALr9Z4nqFPs/LU/1fjItyDSR3ukkoh
YnDi0Nd8ldwQpPeNQnb086//xQ==
-----END PRIVATE KEY-----`,
  cert: `-----BEGIN CERTIFICATE-----
MIIDJzCCAg+gAwIBAgIUZKvkL/P/b+5KBR/MWDLV5VVDY5owDQYJKoZIhvcNAQEL
BQAwFDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwMjA1MDAwMVoYDzIxMjYx
MTA4MDUwMDAxWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwggEiMA0GCSqGSIb3DQEB
AQUAA4IBDwAwggEKAoIBAQDYtz5y2VUZLjOE/FFnHbxR9hJcbykk0E52/RO45oNF
X5S+Wkd9w2oTKzQWd9zyEpXiUrEcNmgvTw5kNf6PEV2rnK3omI7cF0HstDaMrW1q
VphnD6tGcvoVIkjM3itSpWyeevJxbj/4V++7iqb16Y8B11992WcBn2cHvo0IkU4K
qSoYhXtpmM7/IB9qT0jYqD33YROwRHT+g31gH7jmigQdF9KaKtEkuuuDI2zg51o1
bIDA8dleAnxZq1uHBQWMUSRd8INF1mq4gpj42Q0OGlFBpvqekPyBtqufWL+pZy64
rB2WCkvXA5J0oeox/1Y0jl7PEjSGGpSEgOmEQTk9KnPNAgMBAAGjbzBtMB0GA1Ud
DgQWBBSnOmRWFLFCd+40+P2NBGNZ79o7tTAfBgNVHSMEGDAWgBSnOmRWFLFCd+40
+P2NBGNZ79o7tTAPBgNVHRMBAf8EBTADAQH/MBoGA1UdEQQTMBGHBH8AAAGCCWxv
Y2FsaG9zdDANBgkqhkiG9w0BAQsFAAOCAQEAcy56u3+1GJ0Esd9RjOmdysy32X3j
xKoIUmagdbIrLBcr2ewDqU1NwA8G+0qLIQwlLmYMF95y+snV2zCHTI/4kUUYYAIz
Eok1Wu+0ofUDPmVScMW9dv1Je7DUTeC6th6htZNsHyGc3GPIvWNQE6Dh5V7wk3Ml
oHD+qgz3TpGQ+bBbWaOoPW8XtnzPeEXTZ4lWGxmQF51P3NiV+3vvOXMh9oL33XRl
O1bAaEokUp5q7Sp/yRMUC9akAAewc4PFDw2+3In210CqQWIUy3eFGvphQ7sM9xvJ
0NmDVkx8kxoeLrQZ7/FkMqeao8TRBH9J/OOZCEkDmorV8tfIcfcx8Ld5Sw==
-----END CERTIFICATE-----`
}
