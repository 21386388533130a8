# Mensajes de error que Rust envía a la página ({code, message, retry}).
# Cada id de en/errors.ftl, con las mismas variables.

## Códigos documentados de Aeropay

err-ap001 = Este equipo no tiene claves de la API de Aeropay. Pídale a un gerente que termine la configuración.
err-ap002 = Aeropay rechazó las claves de la API de este equipo (claves incorrectas o de otro entorno). Pídale a un gerente que revise la configuración.
err-ap002-user = Aeropay no pudo iniciar sesión para este cliente: es posible que todavía no esté conectado a esta tienda (pídale que vuelva a confirmar su código) o que se hayan rechazado las claves de la API de este equipo.
err-ap003 = La cuenta de Aeropay de esta tienda está bloqueada. Pídale a un gerente que se comunique con el soporte de Aeropay.
err-ap004 = A la solicitud a Aeropay le faltó el inicio de sesión. Vuelva a intentarlo; si sigue pasando, comuníquese con soporte.
err-ap005 = La sesión de Aeropay no coincide. Empiece de nuevo.
err-ap006 = Este equipo no tiene permiso para hacer eso con Aeropay. Comuníquese con soporte.
err-ap007 = La sesión de Aeropay venció. Vuelva a intentarlo.
err-ap008 = La sesión de Aeropay ya no es válida. Vuelva a intentarlo.
err-ap101 = Aeropay no reconoció la sesión. Empiece de nuevo.
err-ap102 = Aeropay no pudo crear la cuenta. Revise los datos o comuníquese con soporte.
err-ap104 = Aeropay no pudo leer los datos del cliente. Revíselos y vuelva a intentarlo.
err-ap105 = Al número de teléfono le falta el código de área.
err-ap106 = El formato del número de teléfono no es válido. Use +1 seguido de 10 dígitos.
err-ap107 = Este cliente ya tiene una cuenta de Aeropay.
err-ap108 = Aeropay no pudo agregar al cliente. Comuníquese con soporte.
err-ap109 = La cuenta de Aeropay de este cliente está suspendida.
err-ap111 = Ese código de verificación no es correcto. Revíselo y vuelva a intentarlo.
err-ap112 = Demasiados códigos incorrectos. Espere y pida un código nuevo.
err-ap113 = Aeropay no reconoce a este cliente.
err-ap114 = La tienda tiene restringido a este cliente.
err-ap115 = Este tipo de número de teléfono no se acepta (fijo, VoIP o prepagado) o el número no es válido. Use un número celular.
err-ap118 = Los nombres no pueden tener números ni caracteres especiales.
err-ap119 = Solo se aceptan números de teléfono de EE. UU. (+1).
err-ap300 = Aeropay no pudo conectarse con el banco. Intente vincular el banco otra vez.
err-ap317 = Demasiados intentos fallidos. Vuelva a intentarlo más tarde.
err-ap400 = Este cliente todavía no tiene una cuenta bancaria vinculada.
err-ap401 = Esa cuenta bancaria no se puede usar para este cliente. Vincule una cuenta válida.
err-ap403 = Este banco no es compatible. Vincule una cuenta de otro banco.
err-ap404 = El número de ruta del banco no es válido. Vincule otra cuenta.
err-ap407 = La vinculación de bancos está desactivada para este cliente. Comuníquese con el soporte de Aeropay.
err-ap408 = Aeropay no reconoce el servicio de vinculación de bancos solicitado. Comuníquese con soporte.
err-ap409 = Se rechazó la dirección de regreso de la vinculación bancaria. Comuníquese con soporte.
err-ap410 = Esta cuenta bancaria ya está conectada a otro cliente.
err-ap411 = Solo se pueden vincular cuentas de cheques. Elija una cuenta de cheques.
err-ap412 = Esa cuenta bancaria se eliminó.
err-ap414 = Este cliente llegó al número máximo de cuentas bancarias vinculadas.
err-ap415 = Esta cuenta bancaria ya está vinculada.
err-ap700 = Falta información obligatoria. Revise los datos y vuelva a intentarlo.
err-ap701 = Parte de la información no tiene el formato correcto. Revise los datos y vuelva a intentarlo.
err-invalid-format = La solicitud de vinculación bancaria no tenía el formato correcto. Comuníquese con soporte.
err-missing-parameter = A la solicitud de vinculación bancaria le faltaba información. Comuníquese con soporte.

## Los del cliente de la API

err-empty-sign-in-token = Aeropay envió un token de inicio de sesión vacío. Vuelva a intentarlo o comuníquese con soporte.
err-no-widget-token = Aeropay no envió el token de vinculación bancaria. Vuelva a intentarlo o comuníquese con soporte.
err-credentials-unavailable = No se pudieron leer las claves de la API de Aeropay de este equipo. Pídale a un gerente que revise la configuración.
err-unreadable-answer = Aeropay envió una respuesta que esta app no entiende. Vuelva a intentarlo o comuníquese con soporte.
err-upstream-html = Aeropay no está respondiendo bien en este momento (llegó una página web en lugar de datos). Vuelva a intentarlo en un momento.
err-response-empty = Aeropay envió una respuesta vacía. Vuelva a intentarlo.
err-response-not-json = Aeropay envió una respuesta que esta app no puede leer. Vuelva a intentarlo o comuníquese con soporte.
err-upstream-status = Aeropay tiene problemas en este momento. Vuelva a intentarlo en un momento.
err-auth-status = Aeropay rechazó el inicio de sesión de este equipo. Pídale a un gerente que revise la configuración.
err-not-found-status = Aeropay no encontró lo que se pidió.
err-refused-status = Aeropay rechazó la solicitud.
err-unusable-token = Aeropay emitió un token que esta app no puede usar. Comuníquese con soporte.
err-network-tls = Falló la conexión segura con Aeropay. Revise la fecha y la hora del equipo y la red (un proxy podría estar interfiriendo).
err-network-unreachable = No se puede conectar con Aeropay. Revise la conexión a internet y vuelva a intentarlo.
err-network-timeout = Aeropay tardó demasiado en responder. Vuelva a intentarlo.
err-network-error = Se cortó la conexión con Aeropay. Vuelva a intentarlo.
err-refused-no-reason = Aeropay rechazó la solicitud sin indicar el motivo.
err-outcome-link = Es posible que la vinculación bancaria se haya completado o no. La app revisa las cuentas del cliente antes de volver a intentarlo.
err-outcome-create-user = Es posible que Aeropay haya creado la cuenta (y enviado un código) o no. Consulte con el cliente antes de volver a intentarlo.
err-outcome-confirm-user = Es posible que Aeropay haya aceptado el código o no. Revise el estado del cliente antes de volver a intentarlo.
err-outcome-other = Aeropay no confirmó si la solicitud se completó.
err-response-too-large = Aeropay envió una respuesta mucho más grande de lo esperado. Vuelva a intentarlo o comuníquese con soporte.

## La inscripción

err-wrong-step = Esta acción no corresponde al paso actual ({ $step }); se actualizó la pantalla.
err-widget-not-open = El widget de vinculación bancaria no está abierto.
err-no-widget-url = Aeropay no envió la dirección del widget de vinculación bancaria; vuelva a intentarlo en un momento.
err-link-outcome-unknown = No pudimos confirmar si la cuenta quedó vinculada; revise las cuentas del cliente antes de volver a intentarlo.
err-not-linked = Aeropay no vinculó la cuenta ({ $code }); empiece de nuevo para elegir otra cuenta.
err-widget-reported = El widget de vinculación bancaria informó un problema ({ $description }); vuelva a intentarlo o elija otro banco.
err-internal = La app no pudo terminar una tarea en segundo plano; vuelva a intentarlo.
err-enrollment-not-found = Esa inscripción ya no está en este equipo; actualice la lista.
err-other-environment = Esa inscripción se hizo en { $environment }; cambie a ese entorno en Configuración para continuarla.
err-resume-finished = Esta inscripción está terminada; use "Vincular otra cuenta" para agregar una.
err-resume-too-early = Esta inscripción se detuvo antes de que Aeropay conociera al cliente; comience una nueva con sus datos.
err-link-another-unlinked = Solo un cliente con una cuenta vinculada puede vincular otra.
err-code-limit =
    A este número de teléfono se le enviaron { $sent } códigos en los últimos { $windowMinutes } minutos, el máximo que envía este quiosco; vuelva a intentarlo en unos { $waitMinutes ->
        [one] { $waitMinutes } minuto
       *[other] { $waitMinutes } minutos
    } o pida ayuda a un empleado.
err-id-check-required = Para continuar sin código, verifique la identificación con foto del cliente y marque la casilla; o bien, envíele un código.
err-code-required = En un quiosco, cada cliente confirma su teléfono con el código que envía Aeropay.

## Los datos del cliente

err-first-name-empty = Ingrese el nombre del cliente.
err-last-name-empty = Ingrese el apellido del cliente.
err-first-name-long = El nombre puede tener como máximo 50 letras.
err-last-name-long = El apellido puede tener como máximo 50 letras.
err-first-name-letters = Use solo letras en el nombre (se permiten espacios, guiones y apóstrofos).
err-last-name-letters = Use solo letras en el apellido (se permiten espacios, guiones y apóstrofos).
err-phone-empty = Ingrese el número celular del cliente.
err-phone-digits = Use solo dígitos en el número celular, como (312) 555-0198.
err-phone-not-us = Aeropay solo funciona con números celulares de EE. UU. (+1).
err-phone-length = Ingrese un número celular de EE. UU. de 10 dígitos, con el código de área primero.
err-phone-invalid = Ese número celular de EE. UU. no es válido; revise el código de área.
err-email-empty = Ingrese el correo electrónico del cliente.
err-email-invalid = Ingrese un correo electrónico como nombre@ejemplo.com.

## El widget del banco

err-widget-invalid-url = La dirección del widget de vinculación bancaria no es una dirección web válida.
err-widget-not-json = El widget de vinculación bancaria envió un mensaje que no es JSON.
err-widget-no-type = El widget de vinculación bancaria envió un mensaje sin tipo.
err-widget-wrong-customer = El widget de vinculación bancaria respondió por otro cliente; empiece de nuevo.

## Personal

err-pin-wrong = Ese PIN no es correcto.
err-pin-wait =
    Demasiados PIN incorrectos seguidos. Espere { $seconds ->
        [one] { $seconds } segundo
       *[other] { $seconds } segundos
    } y vuelva a intentarlo.
err-staff-locked = Solo para el personal: primero desbloquee con el PIN del personal.
err-staff-no-pin = No hay un PIN del personal en este equipo, así que la configuración está cerrada. Cree uno desde una terminal: `aeropay-onboarding configure --staff-pin-stdin …` o `aeropay-onboarding set-staff-pin` (el PIN se lee de la entrada estándar).
err-pin-format = Un PIN del personal tiene de 4 a 12 dígitos.
err-pin-kiosk-short = En un quiosco, el PIN del personal tiene de 6 a 12 dígitos. Si el PIN de este quiosco es más corto, cree uno más largo desde una terminal: `aeropay-onboarding set-staff-pin` (el PIN se lee de la entrada estándar).
err-staff-locked-out = Demasiados PIN incorrectos seguidos: el acceso del personal a este quiosco está bloqueado. Vuelva a configurar el PIN del personal desde una terminal en este equipo: `aeropay-onboarding set-staff-pin` (el PIN se lee de la entrada estándar).
err-pin-mismatch = Los dos PIN no coinciden. Escriba el PIN nuevo dos veces.
err-pin-damaged = El PIN del personal guardado está dañado: cree uno nuevo con `aeropay-onboarding set-staff-pin`.
err-not-kiosk = La app no está en modo quiosco.

## Mostrador

err-desk-only = La lista de inscripciones es para la oficina; no se muestra en un quiosco.
err-desk-not-fleet = Este mostrador no forma parte de una flota: solo muestra sus propias inscripciones.
err-backwards-range = La fecha de inicio es posterior a la fecha final; inviértalas.
err-bad-offset = La diferencia horaria que envió la página está fuera de rango.
err-no-export-folder = No hay una carpeta donde guardar la exportación: configure una carpeta personal o de Descargas.
err-nothing-exported = Todavía no se ha exportado nada.
err-l10n-too-large = Como máximo se pueden formatear { $count } mensajes de { $chars } caracteres a la vez.
err-language-desk = El idioma de un mostrador se elige en Configuración.

## Configuración

err-settings-choose-environment = Elija un entorno.
err-settings-merchant-missing = Ingrese el ID de comerciante de Aeropay.
err-settings-merchant-number = El ID de comerciante es un número.
err-settings-both-keys = Ingrese la clave y el secreto de la API, o deje ambos vacíos para conservar los guardados.
err-settings-configuration-id = Este ID de configuración no es válido.
err-settings-base-url = Ingrese la dirección de la API, como https://staging-api.aeropay.com
err-settings-unsafe-url = Use una dirección https://, como https://staging-api.aeropay.com (http simple solo para 127.0.0.1).
err-settings-kiosk-browser = Un quiosco mantiene dentro de la app las páginas de inicio de sesión del banco: en un quiosco no se permite abrirlas en el navegador del sistema (un desconocido quedaría en un navegador completo). Desactive "oauthInSystemBrowser" o use el modo mostrador.
err-settings-seconds = Ingrese un número de segundos de { $min } a { $max }.
err-settings-update-feed-missing = Ingrese la dirección de la fuente de actualizaciones para activarlas.
err-settings-update-feed-url = Ingrese una dirección https, como https://updates.example.com/{"{{channel}}"}/latest.json
err-settings-update-channel = Un canal es una sola palabra: letras, dígitos, - _ o .

## Actualizaciones

err-update-none = No hay ninguna actualización esperando para instalarse.

## El llavero

err-vault-no-secret-service = No hay Secret Service en el bus de la sesión ({ $detail }): inicie gnome-keyring o KWallet en esta sesión de escritorio.
err-vault-locked = El llavero está bloqueado ({ $detail }): desbloquéelo (inicie sesión en el escritorio o ejecute `gnome-keyring-daemon --unlock`) y vuelva a intentarlo.
err-vault-unavailable = El llavero rechazó la solicitud ({ $detail }).
err-vault-corrupt = La entrada { $account } del llavero está dañada: bórrela y vuelva a ingresar el valor.
err-vault-wrong-kind = No se guardó un valor de otro tipo en { $account }.

## La base de datos local y el archivo de configuración

err-store-directory = No se puede crear la carpeta de datos { $path }: { $reason }.
err-store-sqlite = Falló la base de datos local: { $reason }.
err-store-sqlite-too-old = La biblioteca SQLite de este equipo es la versión { $found }; la aplicación necesita la { $needed } o posterior. Actualice el sistema y vuelva a abrir la aplicación.
err-store-unreadable = La base de datos local tiene un valor que esta versión no entiende: { $value }.
err-config-no-dir = No hay carpeta de configuración: defina HOME (o XDG_CONFIG_HOME).
err-config-read = No se puede leer { $path }: { $reason }.
err-config-parse = { $path } no es una configuración válida ({ $reason }); corrija o borre el archivo para empezar de nuevo.
err-config-write = No se puede escribir en { $path }: { $reason }.

## Configuración administrada

err-policy-read = No se puede leer la política { $path }: { $reason }. Toda cuenta que use la app debe poder leerla (el archivo con permisos 0644 y su carpeta con 0755).
err-policy-invalid = La política { $path } no es válida ({ $reason }); pida a quien administra este equipo que la corrija.
err-policy-invalid-field = La política { $path } no es válida: campo "{ $field }" ({ $reason }); pida a quien administra este equipo que la corrija.
err-policy-unsafe = Se rechazó la política { $path }: { $reason }. Debe pertenecer a root y solo root debe poder modificarla.
err-settings-managed = Administrado por su organización: { $fields } no se puede cambiar en este equipo.

## Mostrador, con variables

err-desk-bad-date =
    La fecha { $field ->
        [start] de inicio
       *[other] final
    } "{ $value }" no es una fecha; elija una en el calendario (AAAA-MM-DD).
err-desk-range-too-long = Elija como máximo { $maxDays } días a la vez.
err-desk-bad-status = La lista no conoce el estado "{ $status }".
err-desk-search-too-long = El texto de búsqueda es demasiado largo (máximo { $max } caracteres).
err-desk-export-write = No se pudo guardar la exportación en { $path }: { $reason }; revise que la carpeta exista y que se pueda escribir en ella.
err-desk-export-failed = No se pudo guardar el archivo de exportación: { $reason }; revise que la carpeta exista y que se pueda escribir en ella.
err-desk-reveal = No se pudo abrir el administrador de archivos ({ $reason }). El archivo está en { $path }.

## El widget del banco, con variables

err-widget-untrusted-origin = La dirección del widget de vinculación bancaria { $origin } no es una dirección conocida de Aerosync; revise la configuración del entorno.
err-widget-wrong-origin = Se ignoró un mensaje de { $origin }: solo el widget de vinculación bancaria puede comunicarse con la app.
err-widget-too-large = Se ignoró un mensaje del widget de { $size } bytes (el límite es { $limit }).
err-widget-bad-success = El widget de vinculación bancaria informó que terminó, pero sin los datos de la cuenta; vuelva a vincular la cuenta.

## El cliente de la API, con variables o por causa

# $reason es el texto del propio Aeropay, tal cual.
err-refused-with-reason = Aeropay rechazó la solicitud: { $reason }
err-http-redirect = La dirección de Aeropay envió esta app a otro lugar ({ $target }); la app no sigue redirecciones. Pídale a un gerente que revise la dirección de Aeropay en Configuración.
err-http-redirect-unnamed = La dirección de Aeropay envió esta app a otro lugar; la app no sigue redirecciones. Pídale a un gerente que revise la dirección de Aeropay en Configuración.
err-request-not-encoded = No se puede enviar esta solicitud: no se pudo codificar.
err-request-v1-connection = No se puede enviar esta solicitud: la API v1 vincula con user_id y user_password del widget; este widget envió un connectionId (use la API v2).
err-request-v2-legacy = No se puede enviar esta solicitud: la API v2 vincula con el connectionId del widget; este widget envió user_id y user_password (use la API v1 o un widget más nuevo).
err-request-no-user-id = No se puede enviar esta solicitud: falta el ID de usuario de Aeropay del cliente.
err-setup-bad-header = La conexión con Aeropay no está bien configurada: un encabezado adicional no es un encabezado HTTP válido. Pídale a un gerente que revise la configuración.
err-setup-no-client = La conexión con Aeropay no está bien configurada: no se pudo iniciar el cliente HTTP. Pídale a un gerente que revise la configuración.
err-setup-bad-address = La conexión con Aeropay no está bien configurada: la dirección de Aeropay no es una URL válida. Pídale a un gerente que revise la configuración.
err-setup-no-request = La conexión con Aeropay no está bien configurada: no se pudo preparar la solicitud. Pídale a un gerente que revise la configuración.
err-setup-unsafe-scheme = La conexión con Aeropay no está bien configurada: la dirección de Aeropay debe empezar con https:// (http simple solo se permite para 127.0.0.1). Pídale a un gerente que revise la configuración.

## Avisos de la inscripción

err-code-format = Escriba el código del mensaje: solo dígitos.
err-some-not-linked-unknown = No se pudieron vincular algunas cuentas.
# $reason es el mensaje del último rechazo, en el mismo idioma.
err-some-not-linked =
    { $failed ->
        [one] No se pudo vincular { $failed } de { $requested } cuentas
       *[other] No se pudieron vincular { $failed } de { $requested } cuentas
    }: { $reason }

## The fleet's broker (crates/fleet-client/src/messages.rs, error.rs)

err-fleet-not-enrolled = Este dispositivo no está inscrito en la flota. Pida un código de inscripción a su gerente.
err-fleet-revoked = Este dispositivo fue retirado de la flota. Pida a su gerente que lo inscriba de nuevo.
err-fleet-disabled = El operador de la flota pausó este dispositivo. Pida a su gerente que lo vuelva a habilitar.
err-fleet-user-not-verified = Este cliente no confirmó su código en este dispositivo recientemente. Empiece su inscripción de nuevo.
err-fleet-rate-limited = Demasiados intentos desde este dispositivo. Espere un poco e inténtelo de nuevo.
err-fleet-unavailable = El servidor de la flota no está disponible por un momento. Inténtelo de nuevo en un momento.
err-fleet-internal = Algo salió mal en el servidor de la flota. Inténtelo de nuevo.
err-fleet-bad-request = La solicitud no es válida.
err-fleet-key-reused = Esta solicitud ya se envió con otros datos. Empiece este paso de nuevo.
err-fleet-no-such-call = Esa llamada no existe.
err-fleet-code-invalid = Este código de inscripción no es válido. Compruebe que lo escribió tal como está impreso.
err-fleet-code-expired = Este código de inscripción venció. Pida uno nuevo a su gerente.
err-fleet-code-used = Este código de inscripción ya se usó. Pida uno nuevo a su gerente.
err-fleet-audit-forbidden = Este mostrador no puede leer el registro de la flota. Pida al operador de la flota que agregue el grupo de este mostrador a audit.reader_groups.
err-fleet-unreachable = No se pudo conectar con el servidor de la flota ({ $host }). Inténtelo de nuevo en un momento o pida a su gerente que revise la red.
err-fleet-unexpected = El servidor de la flota ({ $host }) dio una respuesta que esta aplicación no puede leer. Pida a su gerente que revise la dirección del servidor de la flota.
err-fleet-url = La dirección del servidor de la flota no se puede usar: { $reason }
