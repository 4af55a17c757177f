
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'keyward' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'keyward'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'keyward' {
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Log in, log out, and get tokens')
            [CompletionResult]::new('api', 'api', [CompletionResultType]::ParameterValue, 'Make an authenticated request to the API and print the answer')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who you are logged in as')
            [CompletionResult]::new('tenants', 'tenants', [CompletionResultType]::ParameterValue, 'List your tenants and choose the default one')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Read and change settings in config.toml')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;auth' {
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in to an API: in the browser (default), by pasting a code back (--no-browser), with the device flow (--device), with a personal access token (--token-stdin), or without a person: a CI job''s ID token (--federated), a service account (--client-credentials)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show every stored login, or one API''s (-h); exit 1 when one is not usable')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Refresh the access token now (OAuth logins with a refresh token)')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print the access token on stdout, for scripts')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove the stored login of the active account of an API (keychain and file), or of the account -u names, or of every account (--all). Settings stay')
            [CompletionResult]::new('switch', 'switch', [CompletionResultType]::ParameterValue, 'Make another stored account of an API the active one')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check what a login needs and say what to fix; exit 1 when a check fails')
            [CompletionResult]::new('setup-git', 'setup-git', [CompletionResultType]::ParameterValue, 'Make git use your login for HTTPS remotes (git clone, git push)')
            [CompletionResult]::new('git-credential', 'git-credential', [CompletionResultType]::ParameterValue, 'The git credential helper `auth setup-git` installs (run by git)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;auth;login' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login''s)')
            [CompletionResult]::new('--with-token', '--with-token', [CompletionResultType]::ParameterName, 'Log in with a personal access token read from standard input (as gh''s --with-token); `--with-token TOKEN` also works, but leaves it in shell history and the process list')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'OAuth client id (default: KEYWARD_CLIENT_ID, then config `client_id` for the host, then the stored login''s; else keyward registers one where the server allows it)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Extra scopes to request, comma-separated, added to the host''s default scopes')
            [CompletionResult]::new('--scopes', '--scopes', [CompletionResultType]::ParameterName, 'Extra scopes to request, comma-separated, added to the host''s default scopes')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the login to be finished in the browser (1 to 86400)')
            [CompletionResult]::new('--login-hint', '--login-hint', [CompletionResultType]::ParameterName, 'The account to preselect at the identity provider (its `login_hint`), e.g. an email')
            [CompletionResult]::new('--auth-param', '--auth-param', [CompletionResultType]::ParameterName, 'Another parameter for the authorization request, NAME=VALUE (repeatable), e.g. `--auth-param prompt=login` or `--auth-param acr_values=mfa`')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'The audience to ask the CI for its ID token (default: config `id_token_audience`, else the API URL)')
            [CompletionResult]::new('--id-token-env', '--id-token-env', [CompletionResultType]::ParameterName, 'Read the ID token from this environment variable (GitLab `id_tokens:`, CircleCI `CIRCLE_OIDC_TOKEN_V2`; default KEYWARD_ID_TOKEN when it is set)')
            [CompletionResult]::new('--id-token-command', '--id-token-command', [CompletionResultType]::ParameterName, 'Run this command (`sh -c`) for the ID token at each exchange, e.g. `buildkite-agent oidc request-token --audience …`')
            [CompletionResult]::new('--id-token-file', '--id-token-file', [CompletionResultType]::ParameterName, 'Read the ID token from this file at each exchange (Kubernetes projected service-account tokens, SPIFFE)')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--token-stdin', '--token-stdin', [CompletionResultType]::ParameterName, 'Read the token from standard input (a pipe), or ask for it, hidden, at a terminal')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Log in in the browser, without asking how')
            [CompletionResult]::new('--web', '--web', [CompletionResultType]::ParameterName, 'Log in in the browser, without asking how')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Do not open a browser: print the URL and paste back the code or the address you land on')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Use the device flow: enter a short code on any device''s browser')
            [CompletionResult]::new('--federated', '--federated', [CompletionResultType]::ParameterName, 'CI: exchange the job''s own OIDC ID token for an access token (RFC 8693); no secret is stored. The ID token comes from GitHub Actions (auto-detected), --id-token-env, --id-token-command or --id-token-file, and is fetched again whenever the access token expires')
            [CompletionResult]::new('--client-credentials', '--client-credentials', [CompletionResultType]::ParameterName, 'A service account: the client credentials grant with --client-id and a secret from --client-secret-stdin or KEYWARD_CLIENT_SECRET (never an argument). The secret is kept in the credential store to obtain new tokens')
            [CompletionResult]::new('--client-secret-stdin', '--client-secret-stdin', [CompletionResultType]::ParameterName, 'Read the client secret from standard input')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;auth;status' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login''s)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER')
            [CompletionResult]::new('--within', '--within', [CompletionResultType]::ParameterName, 'With --check: how far ahead to look (e.g. 90s, 30m, 24h, 7d)')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (exit 0 whatever the logins'' state); errors as JSON on stderr')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'For monitoring: print one line and exit 0 if usable, 1 if not logged in or expired without a refresh token, 2 if it expires within --within without a refresh token')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Show the whole token')
            [CompletionResult]::new('--show-token', '--show-token', [CompletionResultType]::ParameterName, 'Show the whole token')
            [CompletionResult]::new('--verify', '--verify', [CompletionResultType]::ParameterName, 'Ask each API whether its token is still accepted (never refreshes or writes)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'List every stored environment (the default)')
            [CompletionResult]::new('--stores', '--stores', [CompletionResultType]::ParameterName, 'List each credential store''s logins, copies another store shadows included')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;auth;refresh' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;auth;token' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER')
            [CompletionResult]::new('--min-valid', '--min-valid', [CompletionResultType]::ParameterName, 'Refresh first unless the token stays valid this long (e.g. 90s, 5m, 1h); exit 4 when it cannot be refreshed and expires sooner. Below 60s the refresh still happens at 60s')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: the token, its expiry, the API URL; errors as JSON on stderr')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;auth;logout' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Log out of every account of the API')
            [CompletionResult]::new('--revoke', '--revoke', [CompletionResultType]::ParameterName, 'Also revoke the tokens at the server (RFC 7009), when it has a revocation endpoint')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;auth;switch' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;auth;doctor' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login''s)')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Send nothing over the network: the API URL, discovery, the token''s verdict and the clock are not checked (and say so)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON (same exit code); errors as JSON on stderr')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;auth;setup-git' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Set git up for this API URL only (or a bare host). Default: every stored API URL')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Set git up for this API URL only (or a bare host). Default: every stored API URL')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'Set git up for this API URL only (or a bare host). Default: every stored API URL')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Set git up for the API URL -h names even when it is not logged in yet')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;auth;git-credential' {
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;auth;help' {
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in to an API: in the browser (default), by pasting a code back (--no-browser), with the device flow (--device), with a personal access token (--token-stdin), or without a person: a CI job''s ID token (--federated), a service account (--client-credentials)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show every stored login, or one API''s (-h); exit 1 when one is not usable')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Refresh the access token now (OAuth logins with a refresh token)')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print the access token on stdout, for scripts')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove the stored login of the active account of an API (keychain and file), or of the account -u names, or of every account (--all). Settings stay')
            [CompletionResult]::new('switch', 'switch', [CompletionResultType]::ParameterValue, 'Make another stored account of an API the active one')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check what a login needs and say what to fix; exit 1 when a check fails')
            [CompletionResult]::new('setup-git', 'setup-git', [CompletionResultType]::ParameterValue, 'Make git use your login for HTTPS remotes (git clone, git push)')
            [CompletionResult]::new('git-credential', 'git-credential', [CompletionResultType]::ParameterValue, 'The git credential helper `auth setup-git` installs (run by git)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;auth;help;login' {
            break
        }
        'keyward;auth;help;status' {
            break
        }
        'keyward;auth;help;refresh' {
            break
        }
        'keyward;auth;help;token' {
            break
        }
        'keyward;auth;help;logout' {
            break
        }
        'keyward;auth;help;switch' {
            break
        }
        'keyward;auth;help;doctor' {
            break
        }
        'keyward;auth;help;setup-git' {
            break
        }
        'keyward;auth;help;git-credential' {
            break
        }
        'keyward;auth;help;help' {
            break
        }
        'keyward;api' {
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'The HTTP method (default GET, or POST when fields or --input are given)')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'The HTTP method (default GET, or POST when fields or --input are given)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add a header, or replace one of keyward''s (not Authorization). Repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add a header, or replace one of keyward''s (not Authorization). Repeatable')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A string field. Repeatable. JSON body, or the query string for GET')
            [CompletionResult]::new('--raw-field', '--raw-field', [CompletionResultType]::ParameterName, 'A string field. Repeatable. JSON body, or the query string for GET')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'A typed field: true, false, null and integers become JSON values; @FILE reads a file, @- standard input. Repeatable')
            [CompletionResult]::new('--field', '--field', [CompletionResultType]::ParameterName, 'A typed field: true, false, null and integers become JSON values; @FILE reads a file, @- standard input. Repeatable')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'The request body from FILE, or standard input with `-`. Fields then go in the query string')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login''s)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Print the status line and the response headers before the body')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'Print the status line and the response headers before the body')
            [CompletionResult]::new('--paginate', '--paginate', [CompletionResultType]::ParameterName, 'Follow the next-page links (Link header, or the body''s links.next or next_page_url) and merge the pages: arrays into one array, {data: [...]} pages into one data array')
            [CompletionResult]::new('--silent', '--silent', [CompletionResultType]::ParameterName, 'Do not print the body')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Report a failure (also an HTTP error status) as one JSON object on stderr; the body is printed as always')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;whoami' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login''s)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Use this stored account (its account id, email or name) instead of the active one, without switching. Default: KEYWARD_USER')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON; errors as JSON on stderr')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;tenants' {
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the tenants your login can use; the current one is marked with `*`')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make SLUG the default tenant of an API URL (-h, else the default one): config.toml''s `[hosts."<api_url>"].tenant`; other API URLs keep theirs')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;tenants;list' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, then a .keyward.toml pin, then config, then the login''s)')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON; errors as JSON on stderr')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;tenants;use' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'The API URL, or a bare host (https://HOST; http:// for 127.0.0.1 and localhost). Default: KEYWARD_API_URL, then a .keyward.toml pin, then config `api_url`')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;tenants;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the tenants your login can use; the current one is marked with `*`')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make SLUG the default tenant of an API URL (-h, else the default one): config.toml''s `[hosts."<api_url>"].tenant`; other API URLs keep theirs')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;tenants;help;list' {
            break
        }
        'keyward;tenants;help;use' {
            break
        }
        'keyward;tenants;help;help' {
            break
        }
        'keyward;config' {
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print the value of KEY')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set KEY to VALUE (validated; comments in config.toml are kept)')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove KEY from config.toml')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every value set in config.toml (or one host''s section)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;config;get' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'The API URL (or bare host) whose per-host setting to read')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The API URL (or bare host) whose per-host setting to read')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The API URL (or bare host) whose per-host setting to read')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'The API URL (or bare host) whose per-host setting to read')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;config;set' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'The API URL (or bare host) whose per-host setting to change')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The API URL (or bare host) whose per-host setting to change')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The API URL (or bare host) whose per-host setting to change')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'The API URL (or bare host) whose per-host setting to change')
            [CompletionResult]::new('--global', '--global', [CompletionResultType]::ParameterName, '`tenant`: the top-level fallback for every API URL, not the default API URL''s')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;config;unset' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'The API URL (or bare host) whose per-host setting to remove')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The API URL (or bare host) whose per-host setting to remove')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'The API URL (or bare host) whose per-host setting to remove')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'The API URL (or bare host) whose per-host setting to remove')
            [CompletionResult]::new('--global', '--global', [CompletionResultType]::ParameterName, '`tenant`: the top-level fallback for every API URL, not the default API URL''s')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;config;list' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Only the settings of this API URL''s `[hosts]` section')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Only the settings of this API URL''s `[hosts]` section')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'Only the settings of this API URL''s `[hosts]` section')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'Only the settings of this API URL''s `[hosts]` section')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON; errors as JSON on stderr')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;config;help' {
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print the value of KEY')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set KEY to VALUE (validated; comments in config.toml are kept)')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove KEY from config.toml')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every value set in config.toml (or one host''s section)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;config;help;get' {
            break
        }
        'keyward;config;help;set' {
            break
        }
        'keyward;config;help;unset' {
            break
        }
        'keyward;config;help;list' {
            break
        }
        'keyward;config;help;help' {
            break
        }
        'keyward;completion' {
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Print each HTTP request and response (secrets redacted) and diagnostic causes, as KEYWARD_DEBUG=api')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'keyward;help' {
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Log in, log out, and get tokens')
            [CompletionResult]::new('api', 'api', [CompletionResultType]::ParameterValue, 'Make an authenticated request to the API and print the answer')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who you are logged in as')
            [CompletionResult]::new('tenants', 'tenants', [CompletionResultType]::ParameterValue, 'List your tenants and choose the default one')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Read and change settings in config.toml')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'keyward;help;auth' {
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in to an API: in the browser (default), by pasting a code back (--no-browser), with the device flow (--device), with a personal access token (--token-stdin), or without a person: a CI job''s ID token (--federated), a service account (--client-credentials)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show every stored login, or one API''s (-h); exit 1 when one is not usable')
            [CompletionResult]::new('refresh', 'refresh', [CompletionResultType]::ParameterValue, 'Refresh the access token now (OAuth logins with a refresh token)')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print the access token on stdout, for scripts')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove the stored login of the active account of an API (keychain and file), or of the account -u names, or of every account (--all). Settings stay')
            [CompletionResult]::new('switch', 'switch', [CompletionResultType]::ParameterValue, 'Make another stored account of an API the active one')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check what a login needs and say what to fix; exit 1 when a check fails')
            [CompletionResult]::new('setup-git', 'setup-git', [CompletionResultType]::ParameterValue, 'Make git use your login for HTTPS remotes (git clone, git push)')
            [CompletionResult]::new('git-credential', 'git-credential', [CompletionResultType]::ParameterValue, 'The git credential helper `auth setup-git` installs (run by git)')
            break
        }
        'keyward;help;auth;login' {
            break
        }
        'keyward;help;auth;status' {
            break
        }
        'keyward;help;auth;refresh' {
            break
        }
        'keyward;help;auth;token' {
            break
        }
        'keyward;help;auth;logout' {
            break
        }
        'keyward;help;auth;switch' {
            break
        }
        'keyward;help;auth;doctor' {
            break
        }
        'keyward;help;auth;setup-git' {
            break
        }
        'keyward;help;auth;git-credential' {
            break
        }
        'keyward;help;api' {
            break
        }
        'keyward;help;whoami' {
            break
        }
        'keyward;help;tenants' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the tenants your login can use; the current one is marked with `*`')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make SLUG the default tenant of an API URL (-h, else the default one): config.toml''s `[hosts."<api_url>"].tenant`; other API URLs keep theirs')
            break
        }
        'keyward;help;tenants;list' {
            break
        }
        'keyward;help;tenants;use' {
            break
        }
        'keyward;help;config' {
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print the value of KEY')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set KEY to VALUE (validated; comments in config.toml are kept)')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove KEY from config.toml')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List every value set in config.toml (or one host''s section)')
            break
        }
        'keyward;help;config;get' {
            break
        }
        'keyward;help;config;set' {
            break
        }
        'keyward;help;config;unset' {
            break
        }
        'keyward;help;config;list' {
            break
        }
        'keyward;help;completion' {
            break
        }
        'keyward;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
