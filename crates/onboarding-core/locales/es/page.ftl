# La página de la app (ui/), en español de EE. UU. (trato de usted).
# Cada id de en/page.ftl, con las mismas variables.

## Idioma (pantalla de bienvenida del quiosco, Configuración)

ui-language-en = English
ui-language-es = Español
ui-language-choice =
    .aria-label = Idioma

## Encabezado, pie

ui-product = Aeropay Onboarding
ui-nav-desk =
    .aria-label = Mostrador
ui-nav-enroll = Inscribir
ui-nav-list = Inscripciones
ui-connecting = Conectando…
ui-open-settings = Configuración
ui-update-available = Actualización disponible: versión { $version }
ui-update-installing = Se instalará la versión { $version } cuando no haya ninguna inscripción en curso…
ui-update-install = Instalar actualización
ui-progress =
    .aria-label = Progreso
ui-stage-customer = Cliente
ui-stage-code = Código
ui-stage-bank = Cuenta bancaria
ui-starting = Iniciando…
ui-ready = Listo. Conectado a: { $environment }.
ui-not-connected = Sin conexión
ui-version = { $product } { $version }
ui-error-with-code = { $message } (código { $code })
ui-error-unknown = Algo salió mal: { $detail }
ui-no-ipc = Esta página debe abrirse dentro de la app Aeropay Onboarding.
ui-code-for-support = Código para soporte:
ui-unknown-step = No se reconoce esta pantalla ({ $step }). Reinicie la app.

## Datos del cliente

ui-details-title = Cliente nuevo
ui-details-lead = Ingrese los datos del cliente. Es posible que Aeropay le envíe un código para confirmar su teléfono.
ui-field-first-name = Nombre
ui-field-last-name = Apellido
ui-field-phone = Teléfono celular
ui-field-phone-hint = Número celular de EE. UU., p. ej., (312) 555-0198
ui-field-email = Correo electrónico
ui-details-continue = Continuar

## Código

ui-code-title = Ingrese el código
ui-code-lead-email = Aeropay envió un código por correo electrónico. Escríbalo aquí.
ui-code-lead-sms = Aeropay envió un código por mensaje de texto al teléfono del cliente. Escríbalo aquí.
ui-code-lead-other = Aeropay envió un código al cliente. Escríbalo aquí.
ui-code-label = Código
ui-code-attempts =
    { $count ->
        [one] Le queda { $count } intento
       *[other] Le quedan { $count } intentos
    }
ui-code-verify = Verificar
ui-code-resend = Enviar otro código
ui-cancel = Cancelar
ui-code-resumed = Se continuó desde la lista: pídale al cliente el código que Aeropay le envió antes. Su número de teléfono no se guarda en este equipo; para enviar otro código, cancele y comience una inscripción nueva con sus datos.
ui-code-resent = Se envió un código nuevo.
ui-code-simulated = Simulador: escriba 000000, el código de prueba del entorno de pruebas de Aeropay.

## Verificación de identidad (mostrador)

ui-id-check-box = Verifiqué la identificación con foto del cliente
ui-id-check-continue = Continuar sin código
ui-id-check-send-code = Enviar un código
ui-id-check-title-named = { $name } ya se inscribió antes en este equipo
ui-id-check-title = El cliente ya se inscribió antes en este equipo
ui-id-check-lead = Antes de ver o cambiar sus cuentas bancarias sin código, verifique su identificación con foto. O bien, envíe un código a su teléfono.

## Cuentas

ui-account-line =
    { $type ->
        [checking] Cuenta de cheques
        [savings] Cuenta de ahorros
       *[other] Cuenta
    } •••• { $last4 }
ui-account-line-unverified =
    { $type ->
        [checking] Cuenta de cheques
        [savings] Cuenta de ahorros
       *[other] Cuenta
    } •••• { $last4 } · aún sin verificar
ui-existing-title-named = { $name } ya tiene una cuenta bancaria con Aeropay
ui-existing-title = El cliente ya tiene una cuenta bancaria con Aeropay
ui-existing-lead = Úsela o vincule otra cuenta.
ui-use-account = Usar esta cuenta
ui-link-another = Vincular otra cuenta

## Vinculación

ui-linking-title = Vincular una cuenta bancaria
ui-linking-lead = El cliente inicia sesión en su banco aquí abajo y elige la cuenta que va a usar.
ui-linking-simulated = Banco simulado: no se usan datos bancarios reales.
ui-linking-widget-english = La conexión con el banco que aparece abajo la ofrece Aerosync y es posible que se muestre en inglés.
ui-widget-frame =
    .title = Inicio de sesión en el banco
ui-widget-closed-title = Se cerró la ventana del banco
ui-widget-closed-lead = No se vinculó ninguna cuenta. Abra otra vez la lista de bancos para continuar.
ui-widget-reopen = Abrir otra vez la lista de bancos
ui-cancel-enrollment = Cancelar inscripción
ui-checking-accounts = Revisando las cuentas bancarias del cliente…
ui-finishing-checking = Consultando con Aeropay si la cuenta quedó vinculada…
ui-finishing = Vinculando su cuenta…
ui-still-working = Seguimos trabajando; esto puede tardar hasta medio minuto. Por favor, no cierre nada.

## Listo

ui-done-ready-named = La cuenta de { $name } está lista para pagar con Aeropay.
ui-done-ready = La cuenta está lista para pagar con Aeropay.
ui-done-welcome-named = Hola de nuevo. La cuenta de { $name } está lista para pagar con Aeropay.
ui-done-welcome = Hola de nuevo. La cuenta está lista para pagar con Aeropay.
ui-done-default-named = La cuenta de { $name } está lista para pagar con Aeropay. Ahora es la cuenta predeterminada para los pagos.
ui-done-default = La cuenta está lista para pagar con Aeropay. Ahora es la cuenta predeterminada para los pagos.
ui-done-welcome-default-named = Hola de nuevo. La cuenta de { $name } está lista para pagar con Aeropay. Ahora es la cuenta predeterminada para los pagos.
ui-done-welcome-default = Hola de nuevo. La cuenta está lista para pagar con Aeropay. Ahora es la cuenta predeterminada para los pagos.
ui-done-linked = Cuenta bancaria vinculada
ui-done-ready-title = Cuenta lista
ui-next-customer = Inscribir al siguiente cliente

## Error, por revisar, cancelada

ui-failed-title = No pudimos terminar
ui-try-again = Intentar de nuevo
ui-choose-another = Elegir otra cuenta
ui-start-over = Empezar de nuevo
ui-review-title = No se pudo confirmar la vinculación
ui-review-lead = Es posible que la cuenta bancaria ya esté vinculada. Por ahora no se necesita nada más del cliente.
ui-review-staff = Personal: más tarde abra esta inscripción desde la lista de Inscripciones; revisará las cuentas del cliente con Aeropay antes de ofrecer vincular de nuevo.
ui-cancelled-title = Inscripción cancelada
ui-cancelled-lead = No se vinculó nada.
ui-start-new = Comenzar una inscripción nueva

## Quiosco

ui-attract-title = Vincule su cuenta bancaria con Aeropay
ui-attract-cta = Toque para comenzar
ui-attract =
    .aria-label = Bienvenida
ui-idle-title = ¿Sigue ahí?
ui-idle-text =
    Para proteger su privacidad, esta pantalla se reiniciará en { $seconds } { $seconds ->
        [one] segundo
       *[other] segundos
    }.
ui-idle-more-time = Necesito más tiempo

ui-larger-text = Texto más grande
ui-settings-more-time = Quiosco: más tiempo (cada límite de arriba cuenta el doble)
ui-idle-left =
    { $seconds ->
        [one] Queda { $seconds } segundo.
       *[other] Quedan { $seconds } segundos.
    }

## Lista del mostrador

ui-status-linked = Vinculada
ui-status-waiting = Esperando el código
ui-status-unfinished = Sin terminar
ui-status-finishing = Terminando la vinculación
ui-status-widget-closed = Ventana del banco cerrada
ui-status-needs-review = Por revisar
ui-status-failed = Con error
ui-status-cancelled = Cancelada
ui-status-all = Todos
ui-resume = Continuar
ui-resume-row =
    .aria-label = Continuar la inscripción de { $customer }
ui-link-another-row =
    .aria-label = Vincular otra cuenta para { $customer }
ui-list-caption = Inscripciones en este equipo, de la más reciente a la más antigua
ui-col-date = Fecha
ui-col-customer = Cliente
ui-col-phone = Teléfono
ui-col-bank = Cuenta bancaria
ui-col-status = Estado
ui-filter-search =
    .placeholder = Nombre, últimos dígitos, banco…
ui-filter-from = Desde
ui-filter-to = Hasta
ui-filter-status = Estado
ui-filter-text = Buscar
ui-list-count =
    { $count ->
        [one] { $count } inscripción
       *[other] { $count } inscripciones
    }
ui-loading = Cargando…
ui-list-empty = Ninguna inscripción coincide. Amplíe las fechas o borre la búsqueda.
ui-list-title = Inscripciones en este equipo
ui-export-csv = Exportar CSV
ui-export-saved =
    { $count ->
        [one] Se guardó { $count } inscripción en
       *[other] Se guardaron { $count } inscripciones en
    }
ui-show-in-folder = Mostrar en la carpeta

## Mostrador de una flota: las inscripciones de toda la flota (ui/fleet.js)

ui-scope-label = Qué inscripciones
ui-scope-desk = Este mostrador
ui-scope-fleet = Toda la flota
ui-fleet-title = Inscripciones en la flota
ui-fleet-caption = Inscripciones de todos los dispositivos de la flota, de la más reciente a la más antigua
ui-col-store = Tienda
ui-col-device = Dispositivo
ui-col-mode = Modo
ui-col-last-step = Último paso
ui-fleet-store = Tienda
ui-fleet-device = Dispositivo
ui-fleet-all-stores = Todas las tiendas
ui-fleet-all-devices = Todos los dispositivos
ui-fleet-refresh = Actualizar
ui-fleet-loading = Leyendo las inscripciones de la flota en el servidor de la flota…
ui-fleet-empty = No hay inscripciones en el registro de la flota para esta tienda y este dispositivo.
ui-fleet-incomplete = Solo se leyeron las primeras { $count } entradas del registro de la flota. Elija una tienda o un dispositivo para ver el resto.
ui-fleet-status-abandoned = Abandonada
ui-fleet-mode-kiosk = Quiosco
ui-fleet-mode-desk = Mostrador
ui-fleet-step-started = Iniciada
ui-fleet-step-code-sent = Código enviado
ui-fleet-step-code-confirmed = Código confirmado
ui-fleet-step-code-failed = Código rechazado
ui-fleet-step-id-checked = Identificación revisada
ui-fleet-step-widget-opened = Ventana del banco abierta
ui-fleet-step-linked = Cuenta vinculada
ui-fleet-step-link-failed = Vinculación fallida
ui-fleet-step-link-unconfirmed = Vinculación sin confirmar
ui-fleet-step-cancelled = Cancelada

## Personal

ui-staff-unlocked = Personal desbloqueado ·
ui-staff-lock = Bloquear
ui-staff-corner = Personal
ui-pin-digits-kiosk = de 6 a 12 dígitos en un quiosco
ui-pin-digits-desk = de 4 a 12 dígitos
ui-pin-digits-kiosk-sentence = El PIN tiene de 6 a 12 dígitos en un quiosco
ui-pin-digits-desk-sentence = El PIN tiene de 4 a 12 dígitos
ui-staff-unlock = Desbloquear
ui-staff-pin = PIN del personal
ui-staff-only = Solo para el personal
ui-staff-wait =
    Vuelva a intentarlo en { $seconds } { $seconds ->
        [one] segundo
       *[other] segundos
    }.
ui-staff-try-now = Ya puede volver a intentarlo.
ui-staff-locked-out = Demasiados PIN incorrectos seguidos: el acceso del personal a este quiosco está bloqueado. Vuelva a configurar el PIN del personal desde una terminal en este equipo (aeropay-onboarding set-staff-pin).
ui-staff-menu-title = Personal
ui-staff-menu-settings = Configuración
ui-staff-menu-exit = Salir del modo quiosco
ui-back = Volver
ui-pin-hint-set =
    Ya hay un PIN del personal. Para cambiarlo, escriba el PIN nuevo dos veces ({ $kiosk ->
        [yes] { ui-pin-digits-kiosk }
       *[no] { ui-pin-digits-desk }
    }).
ui-pin-hint-unset =
    Todavía no hay PIN del personal: cualquier persona en este mostrador puede abrir la Configuración, y un quiosco no puede abrirla en absoluto. { $kiosk ->
        [yes] { ui-pin-digits-kiosk-sentence }
       *[no] { ui-pin-digits-desk-sentence }
    }.
ui-pin-change = Cambiar PIN
ui-pin-set = Crear PIN
ui-pin-new = PIN nuevo
ui-pin-again = Repita el PIN nuevo
ui-pin-saved = Se guardó el PIN del personal.

## Configuración

ui-settings-title = Configuración
ui-settings-managed = Administrado por su organización
ui-settings-fleet-managed = Definido por el servidor de la flota
ui-settings-fleet = Este dispositivo es { $device } (grupo { $group }) de la flota en { $broker }. El servidor de la flota guarda la clave y el secreto de la API de Aeropay.
ui-env-simulator = Simulador (sin datos bancarios reales)
ui-env-sandbox = Entorno de pruebas de Aeropay
ui-env-production = Producción
ui-env-custom = Dirección personalizada
ui-env-broker = Servidor de la flota
ui-settings-base-url = Dirección de la API
ui-settings-base-url-hint = Para un entorno personalizado, p. ej., https://staging-api.aeropay.com
ui-settings-secret-kept = Hay una clave y un secreto guardados en el llavero. Deje ambos vacíos para conservarlos.
ui-settings-secret-new = Se guardan en el llavero del sistema y no se vuelven a mostrar.
ui-settings-environment = Entorno
ui-settings-api-version = Versión de la API
ui-settings-merchant-id = ID de comerciante
ui-settings-api-key = Clave de la API
ui-settings-api-secret = Secreto de la API
ui-settings-configuration-id = ID de configuración del widget
ui-settings-configuration-id-hint = Opcional; lo proporciona Aeropay
ui-settings-theme = Tema del widget
ui-theme-light = Claro
ui-theme-dark = Oscuro
ui-settings-oauth-manually = La app abre por su cuenta las páginas de inicio de sesión del banco (handleOAuthManually)
ui-settings-system-browser = Abrir las páginas de inicio de sesión del banco en el navegador del sistema (solo en el mostrador; para bancos que no permiten ventanas dentro de la app)
ui-settings-mode = Modo
ui-mode-desk = Mostrador (una ventana normal para el personal)
ui-mode-kiosk = Quiosco (pantalla completa, clientes solos)
ui-settings-mode-hint = Se aplica después de reiniciar; --mode en la línea de comandos tiene prioridad.
ui-settings-language = Idioma
ui-settings-language-hint = Un mostrador usa este idioma; un quiosco empieza con él para cada cliente, y el cliente puede elegir otro en la pantalla de bienvenida.
ui-language-auto = Automático (el idioma de la computadora)
ui-settings-idle = Quiosco: segundos sin actividad antes del aviso
ui-settings-idle-hint = De 10 a 3600
ui-settings-warning = Quiosco: cuenta regresiva del aviso, en segundos
ui-settings-warning-hint = De 20 a 600
ui-settings-widget-idle = Quiosco: segundos sin actividad con el widget del banco abierto
ui-settings-widget-idle-hint = Al menos los segundos sin actividad de arriba, como máximo 7200
ui-settings-updates = Instalar actualizaciones firmadas desde la fuente de abajo (un quiosco en su pantalla de bienvenida; un mostrador cuando lo decida el personal; nunca con el simulador)
ui-settings-update-feed = Fuente de actualizaciones
ui-settings-update-feed-hint = https://…/{"{{channel}}"}/latest.json
ui-settings-update-channel = Canal de actualizaciones
ui-settings-update-channel-hint = Una sola palabra, p. ej., stable
ui-save = Guardar
ui-settings-saved = Se guardó la configuración. Reinicie la app para aplicarla.
ui-settings-saved-language = Se guardó la configuración. El idioma nuevo ya está en uso.
ui-settings-saved-now = Se guardó la configuración.
ui-settings-pending = La configuración guardada se aplicará al reiniciar.
ui-restart-now = Reiniciar ahora

## Indicador del entorno (desde Rust)

env-simulator = Simulador: sin datos bancarios reales
env-sandbox = Entorno de pruebas de Aeropay
env-production = Producción
env-custom = Personalizado ({ $url })
env-fleet = Flota: { $device } — { $aeropay }

## Fechas (ver crates/onboarding-core/src/i18n/format.rs)

datetime-medium = { $day } { $month } { $year }, { $hour }:{ $minute } { $period }
time-am = a. m.
time-pm = p. m.
month-1 = ene
month-2 = feb
month-3 = mar
month-4 = abr
month-5 = may
month-6 = jun
month-7 = jul
month-8 = ago
month-9 = sept
month-10 = oct
month-11 = nov
month-12 = dic
