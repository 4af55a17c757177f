
use builtin;
use str;

set edit:completion:arg-completer[keyward] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'keyward'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'keyward'= {
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand auth 'Log in, log out, and get tokens'
            cand api 'Make an authenticated request to the API and print the answer'
            cand whoami 'Show who you are logged in as'
            cand tenants 'List your tenants and choose the default one'
            cand config 'Read and change settings in config.toml'
            cand completion 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;auth'= {
            cand --help 'Print help'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
            cand login 'Log in to an API: in the browser (default), by pasting a code back (--no-browser), with the device flow (--device), with a personal access token (--token-stdin), or without a person: a CI job''s ID token (--federated), a service account (--client-credentials)'
            cand status 'Show every stored login, or one API''s (-h); exit 1 when one is not usable'
            cand refresh 'Refresh the access token now (OAuth logins with a refresh token)'
            cand token 'Print the access token on stdout, for scripts'
            cand logout 'Remove the stored login of the active account of an API (keychain and file), or of the account -u names, or of every account (--all). Settings stay'
            cand switch 'Make another stored account of an API the active one'
            cand doctor 'Check what a login needs and say what to fix; exit 1 when a check fails'
            cand setup-git 'Make git use your login for HTTPS remotes (git clone, git push)'
            cand git-credential 'The git credential helper `auth setup-git` installs (run by git)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;auth;login'= {
            cand -h 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --api-url 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --hostname 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login''s)'
            cand --with-token 'Log in with a personal access token read from standard input (as gh''s --with-token); `--with-token TOKEN` also works, but leaves it in shell history and the process list'
            cand --client-id 'OAuth client id (default: KEYWARD_CLIENT_ID, then config `client_id` for the host, then the stored login''s; else keyward registers one where the server allows it)'
            cand -s 'Extra scopes to request, comma-separated, added to the host''s default scopes'
            cand --scopes 'Extra scopes to request, comma-separated, added to the host''s default scopes'
            cand --timeout 'Seconds to wait for the login to be finished in the browser (1 to 86400)'
            cand --login-hint 'The account to preselect at the identity provider (its `login_hint`), e.g. an email'
            cand --auth-param 'Another parameter for the authorization request, NAME=VALUE (repeatable), e.g. `--auth-param prompt=login` or `--auth-param acr_values=mfa`'
            cand --audience 'The audience to ask the CI for its ID token (default: config `id_token_audience`, else the API URL)'
            cand --id-token-env 'Read the ID token from this environment variable (GitLab `id_tokens:`, CircleCI `CIRCLE_OIDC_TOKEN_V2`; default KEYWARD_ID_TOKEN when it is set)'
            cand --id-token-command 'Run this command (`sh -c`) for the ID token at each exchange, e.g. `buildkite-agent oidc request-token --audience …`'
            cand --id-token-file 'Read the ID token from this file at each exchange (Kubernetes projected service-account tokens, SPIFFE)'
            cand --help 'Print help'
            cand --token-stdin 'Read the token from standard input (a pipe), or ask for it, hidden, at a terminal'
            cand -w 'Log in in the browser, without asking how'
            cand --web 'Log in in the browser, without asking how'
            cand --no-browser 'Do not open a browser: print the URL and paste back the code or the address you land on'
            cand --device 'Use the device flow: enter a short code on any device''s browser'
            cand --federated 'CI: exchange the job''s own OIDC ID token for an access token (RFC 8693); no secret is stored. The ID token comes from GitHub Actions (auto-detected), --id-token-env, --id-token-command or --id-token-file, and is fetched again whenever the access token expires'
            cand --client-credentials 'A service account: the client credentials grant with --client-id and a secret from --client-secret-stdin or KEYWARD_CLIENT_SECRET (never an argument). The secret is kept in the credential store to obtain new tokens'
            cand --client-secret-stdin 'Read the client secret from standard input'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;auth;status'= {
            cand -h 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --api-url 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --hostname 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login''s)'
            cand -u 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER'
            cand --user 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER'
            cand --within 'With --check: how far ahead to look (e.g. 90s, 30m, 24h, 7d)'
            cand --help 'Print help'
            cand --json 'Print JSON (exit 0 whatever the logins'' state); errors as JSON on stderr'
            cand --check 'For monitoring: print one line and exit 0 if usable, 1 if not logged in or expired without a refresh token, 2 if it expires within --within without a refresh token'
            cand -t 'Show the whole token'
            cand --show-token 'Show the whole token'
            cand --verify 'Ask each API whether its token is still accepted (never refreshes or writes)'
            cand --all 'List every stored environment (the default)'
            cand --stores 'List each credential store''s logins, copies another store shadows included'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;auth;refresh'= {
            cand -h 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --api-url 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --hostname 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand -u 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER'
            cand --user 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER'
            cand --help 'Print help'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;auth;token'= {
            cand -h 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --api-url 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --hostname 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand -u 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER'
            cand --user 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER'
            cand --min-valid 'Refresh first unless the token stays valid this long (e.g. 90s, 5m, 1h); exit 4 when it cannot be refreshed and expires sooner. Below 60s the refresh still happens at 60s'
            cand --help 'Print help'
            cand --json 'Print JSON: the token, its expiry, the API URL; errors as JSON on stderr'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;auth;logout'= {
            cand -h 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --api-url 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --hostname 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand -u 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER'
            cand --user 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER'
            cand --help 'Print help'
            cand --all 'Log out of every account of the API'
            cand --revoke 'Also revoke the tokens at the server (RFC 7009), when it has a revocation endpoint'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;auth;switch'= {
            cand -h 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --api-url 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --hostname 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand -u 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER'
            cand --user 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER'
            cand --help 'Print help'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;auth;doctor'= {
            cand -h 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --api-url 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --hostname 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login''s)'
            cand --help 'Print help'
            cand --offline 'Send nothing over the network: the API URL, discovery, the token''s verdict and the clock are not checked (and say so)'
            cand --json 'Print JSON (same exit code); errors as JSON on stderr'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;auth;setup-git'= {
            cand -h 'Set git up for this API URL only (or a bare host). Default: every stored API URL'
            cand --api-url 'Set git up for this API URL only (or a bare host). Default: every stored API URL'
            cand --hostname 'Set git up for this API URL only (or a bare host). Default: every stored API URL'
            cand --help 'Print help'
            cand --force 'Set git up for the API URL -h names even when it is not logged in yet'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;auth;git-credential'= {
            cand --help 'Print help'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;auth;help'= {
            cand login 'Log in to an API: in the browser (default), by pasting a code back (--no-browser), with the device flow (--device), with a personal access token (--token-stdin), or without a person: a CI job''s ID token (--federated), a service account (--client-credentials)'
            cand status 'Show every stored login, or one API''s (-h); exit 1 when one is not usable'
            cand refresh 'Refresh the access token now (OAuth logins with a refresh token)'
            cand token 'Print the access token on stdout, for scripts'
            cand logout 'Remove the stored login of the active account of an API (keychain and file), or of the account -u names, or of every account (--all). Settings stay'
            cand switch 'Make another stored account of an API the active one'
            cand doctor 'Check what a login needs and say what to fix; exit 1 when a check fails'
            cand setup-git 'Make git use your login for HTTPS remotes (git clone, git push)'
            cand git-credential 'The git credential helper `auth setup-git` installs (run by git)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;auth;help;login'= {
        }
        &'keyward;auth;help;status'= {
        }
        &'keyward;auth;help;refresh'= {
        }
        &'keyward;auth;help;token'= {
        }
        &'keyward;auth;help;logout'= {
        }
        &'keyward;auth;help;switch'= {
        }
        &'keyward;auth;help;doctor'= {
        }
        &'keyward;auth;help;setup-git'= {
        }
        &'keyward;auth;help;git-credential'= {
        }
        &'keyward;auth;help;help'= {
        }
        &'keyward;api'= {
            cand -X 'The HTTP method (default GET, or POST when fields or --input are given)'
            cand --method 'The HTTP method (default GET, or POST when fields or --input are given)'
            cand -H 'Add a header, or replace one of keyward''s (not Authorization). Repeatable'
            cand --header 'Add a header, or replace one of keyward''s (not Authorization). Repeatable'
            cand -f 'A string field. Repeatable. JSON body, or the query string for GET'
            cand --raw-field 'A string field. Repeatable. JSON body, or the query string for GET'
            cand -F 'A typed field: true, false, null and integers become JSON values; @FILE reads a file, @- standard input. Repeatable'
            cand --field 'A typed field: true, false, null and integers become JSON values; @FILE reads a file, @- standard input. Repeatable'
            cand --input 'The request body from FILE, or standard input with `-`. Fields then go in the query string'
            cand -h 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --api-url 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --hostname 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login''s)'
            cand -u 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER'
            cand --user 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER'
            cand -i 'Print the status line and the response headers before the body'
            cand --include 'Print the status line and the response headers before the body'
            cand --paginate 'Follow the next-page links (Link header, or the body''s links.next or next_page_url) and merge the pages: arrays into one array, {data: [...]} pages into one data array'
            cand --silent 'Do not print the body'
            cand --json 'Report a failure (also an HTTP error status) as one JSON object on stderr; the body is printed as always'
            cand --help 'Print help'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;whoami'= {
            cand -h 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --api-url 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --hostname 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login''s)'
            cand -u 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER'
            cand --user 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER'
            cand --help 'Print help'
            cand --json 'Print JSON; errors as JSON on stderr'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;tenants'= {
            cand --help 'Print help'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the tenants your login can use; the current one is marked with `*`'
            cand use 'Make SLUG the default tenant of an API URL (-h, else the default one): config.toml''s `[hosts."<api_url>"].tenant`; other API URLs keep theirs'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;tenants;list'= {
            cand -h 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --api-url 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --hostname 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --tenant 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login''s)'
            cand --help 'Print help'
            cand --json 'Print JSON; errors as JSON on stderr'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;tenants;use'= {
            cand -h 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --api-url 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --hostname 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`'
            cand --help 'Print help'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;tenants;help'= {
            cand list 'List the tenants your login can use; the current one is marked with `*`'
            cand use 'Make SLUG the default tenant of an API URL (-h, else the default one): config.toml''s `[hosts."<api_url>"].tenant`; other API URLs keep theirs'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;tenants;help;list'= {
        }
        &'keyward;tenants;help;use'= {
        }
        &'keyward;tenants;help;help'= {
        }
        &'keyward;config'= {
            cand --help 'Print help'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
            cand get 'Print the value of KEY'
            cand set 'Set KEY to VALUE (validated; comments in config.toml are kept)'
            cand unset 'Remove KEY from config.toml'
            cand list 'List every value set in config.toml (or one host''s section)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;config;get'= {
            cand -h 'The API URL (or bare host) whose per-host setting to read'
            cand --host 'The API URL (or bare host) whose per-host setting to read'
            cand --api-url 'The API URL (or bare host) whose per-host setting to read'
            cand --hostname 'The API URL (or bare host) whose per-host setting to read'
            cand --help 'Print help'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;config;set'= {
            cand -h 'The API URL (or bare host) whose per-host setting to change'
            cand --host 'The API URL (or bare host) whose per-host setting to change'
            cand --api-url 'The API URL (or bare host) whose per-host setting to change'
            cand --hostname 'The API URL (or bare host) whose per-host setting to change'
            cand --global '`tenant`: the top-level fallback for every API URL, not the default API URL''s'
            cand --help 'Print help'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;config;unset'= {
            cand -h 'The API URL (or bare host) whose per-host setting to remove'
            cand --host 'The API URL (or bare host) whose per-host setting to remove'
            cand --api-url 'The API URL (or bare host) whose per-host setting to remove'
            cand --hostname 'The API URL (or bare host) whose per-host setting to remove'
            cand --global '`tenant`: the top-level fallback for every API URL, not the default API URL''s'
            cand --help 'Print help'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;config;list'= {
            cand -h 'Only the settings of this API URL''s `[hosts]` section'
            cand --host 'Only the settings of this API URL''s `[hosts]` section'
            cand --api-url 'Only the settings of this API URL''s `[hosts]` section'
            cand --hostname 'Only the settings of this API URL''s `[hosts]` section'
            cand --json 'Print JSON; errors as JSON on stderr'
            cand --help 'Print help'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;config;help'= {
            cand get 'Print the value of KEY'
            cand set 'Set KEY to VALUE (validated; comments in config.toml are kept)'
            cand unset 'Remove KEY from config.toml'
            cand list 'List every value set in config.toml (or one host''s section)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;config;help;get'= {
        }
        &'keyward;config;help;set'= {
        }
        &'keyward;config;help;unset'= {
        }
        &'keyward;config;help;list'= {
        }
        &'keyward;config;help;help'= {
        }
        &'keyward;completion'= {
            cand --help 'Print help'
            cand --debug 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'keyward;help'= {
            cand auth 'Log in, log out, and get tokens'
            cand api 'Make an authenticated request to the API and print the answer'
            cand whoami 'Show who you are logged in as'
            cand tenants 'List your tenants and choose the default one'
            cand config 'Read and change settings in config.toml'
            cand completion 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'keyward;help;auth'= {
            cand login 'Log in to an API: in the browser (default), by pasting a code back (--no-browser), with the device flow (--device), with a personal access token (--token-stdin), or without a person: a CI job''s ID token (--federated), a service account (--client-credentials)'
            cand status 'Show every stored login, or one API''s (-h); exit 1 when one is not usable'
            cand refresh 'Refresh the access token now (OAuth logins with a refresh token)'
            cand token 'Print the access token on stdout, for scripts'
            cand logout 'Remove the stored login of the active account of an API (keychain and file), or of the account -u names, or of every account (--all). Settings stay'
            cand switch 'Make another stored account of an API the active one'
            cand doctor 'Check what a login needs and say what to fix; exit 1 when a check fails'
            cand setup-git 'Make git use your login for HTTPS remotes (git clone, git push)'
            cand git-credential 'The git credential helper `auth setup-git` installs (run by git)'
        }
        &'keyward;help;auth;login'= {
        }
        &'keyward;help;auth;status'= {
        }
        &'keyward;help;auth;refresh'= {
        }
        &'keyward;help;auth;token'= {
        }
        &'keyward;help;auth;logout'= {
        }
        &'keyward;help;auth;switch'= {
        }
        &'keyward;help;auth;doctor'= {
        }
        &'keyward;help;auth;setup-git'= {
        }
        &'keyward;help;auth;git-credential'= {
        }
        &'keyward;help;api'= {
        }
        &'keyward;help;whoami'= {
        }
        &'keyward;help;tenants'= {
            cand list 'List the tenants your login can use; the current one is marked with `*`'
            cand use 'Make SLUG the default tenant of an API URL (-h, else the default one): config.toml''s `[hosts."<api_url>"].tenant`; other API URLs keep theirs'
        }
        &'keyward;help;tenants;list'= {
        }
        &'keyward;help;tenants;use'= {
        }
        &'keyward;help;config'= {
            cand get 'Print the value of KEY'
            cand set 'Set KEY to VALUE (validated; comments in config.toml are kept)'
            cand unset 'Remove KEY from config.toml'
            cand list 'List every value set in config.toml (or one host''s section)'
        }
        &'keyward;help;config;get'= {
        }
        &'keyward;help;config;set'= {
        }
        &'keyward;help;config;unset'= {
        }
        &'keyward;help;config;list'= {
        }
        &'keyward;help;completion'= {
        }
        &'keyward;help;help'= {
        }
    ]
    $completions[$command]
}
